import { defineConfig } from "vite";

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this
// fixture needs, and it keeps the install small.
export default defineConfig({
  esbuild: { jsx: "automatic" },
});
