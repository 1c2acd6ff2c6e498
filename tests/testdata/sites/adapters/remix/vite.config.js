import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

// The Remix build goes to build/server/remix.mjs; the build script then
// bundles server.js (a Lambda handler around it) with every dependency
// into build/server/index.mjs, since RemixSite zips build/server as it is.
export default defineConfig({
  plugins: [remix({ serverBuildFile: "remix.mjs" })],
});
