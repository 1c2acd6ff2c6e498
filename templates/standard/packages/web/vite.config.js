import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The React plugin gives Fast Refresh under `npm run dev`.
export default defineConfig({ plugins: [react()] });
