// Builds the browser front end (web/src) into web/dist, which the service serves at / (src/http/web-router.ts).
// Everything is bundled: the page loads nothing from a CDN at run time.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: a single chunk keeps the served files and their cache headers simple.
    chunkSizeWarningLimit: 400,
  },
  // `npx vite --config web/vite.config.ts` serves the UI with hot reload; API calls go to a running drsoda.
  server: {
    proxy: Object.fromEntries(['/soda', '/api', '/files'].map((p) => [p, process.env.DRSODA_URL ?? 'http://localhost:8080'])),
  },
});
