import { defineConfig } from "vite";

// esbuild's automatic JSX runtime compiles the components: no React
// plugin, so `npm install` stays small (add @vitejs/plugin-react for Fast
// Refresh in `npm run dev` if you want it).
export default defineConfig({
  esbuild: { jsx: "automatic" },
});
