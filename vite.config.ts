import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Staff console (web/) — built into web/dist, served by the Fastify server with SPA fallback.
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      '/api': { target: 'http://localhost:8080', changeOrigin: false },
    },
  },
});
