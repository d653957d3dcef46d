import { defineConfig } from 'vitest/config';
import { mnistDigits } from './scripts/vite-mnist-digits.js';

// One config for the demo page (root demo/) and for vitest (tests under test/).
export default defineConfig({
  root: 'demo',
  plugins: [mnistDigits()],
  publicDir: false,
  build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173, fs: { allow: ['..'] } },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/embed-shaders.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
  },
});
