import { defineConfig } from 'vite';

// The page is built into dist/client, which the server serves (src/chat-server.ts). esbuild
// compiles the JSX itself, so no React plugin (and no Babel) is needed for a production build.
export default defineConfig({
  root: 'web',
  base: '/',
  esbuild: { jsx: 'automatic' },
  // @ai-sdk/react pins an exact `ai` patch release; one copy (the app's, same major) is enough for the page.
  resolve: { dedupe: ['ai', 'react', 'react-dom'] },
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // No inline scripts or data: modules, so the page runs under a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
});
