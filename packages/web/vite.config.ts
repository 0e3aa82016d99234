/** Builds the SPA into dist/ (served by kanade-backend at /); the dev server on 5173 proxies /api to the backend. */
import { defineConfig } from "vite";

const backend = process.env.KANADE_DEV_BACKEND_URL ?? "http://127.0.0.1:8081";

export default defineConfig({
  // JSX via Vite's built-in transform (no React plugin: no fast refresh, nothing extra to install).
  oxc: { jsx: { runtime: "automatic" } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: { "/api": { target: backend, changeOrigin: true, ws: true } },
  },
});
