import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Three apps built into web/dist and served by Fastify with per-app SPA fallback (src/http/app.ts):
// the staff console (index.html), the resident QR pages (resident.html: /r/…, /t/…) and the grid worker app (worker.html: /w/…).
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      input: { console: 'web/index.html', resident: 'web/resident.html', worker: 'web/worker.html' },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://localhost:8080', changeOrigin: false },
    },
  },
});
