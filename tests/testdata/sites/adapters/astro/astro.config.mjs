import { defineConfig, passthroughImageService } from "astro/config";
import aws from "astro-sst";

export default defineConfig({
  output: "server",
  adapter: aws(),
  telemetry: false,
  // A stylesheet file under _astro/, the hashed (immutable) directory.
  build: { inlineStylesheets: "never" },
  // The site ships dist/server as the Lambda bundle as it is, with no
  // node_modules: bundle every dependency into it (and skip sharp, a
  // native module the page does not use).
  image: { service: passthroughImageService() },
  vite: { ssr: { noExternal: true } },
});
