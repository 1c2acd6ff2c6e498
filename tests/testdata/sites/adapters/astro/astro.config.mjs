import { defineConfig, passthroughImageService } from "astro/config";
import aws from "astro-sst";

export default defineConfig({
  output: "server",
  adapter: aws(),
  telemetry: false,
  // A stylesheet file under _astro/, the hashed (immutable) directory.
  build: { inlineStylesheets: "never" },
  // No image optimization: sharp is a native module built for this
  // machine, not Lambda's, and the page has no images.
  image: { service: passthroughImageService() },
});
