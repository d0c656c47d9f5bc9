import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Tests import the package by its public name; both names resolve to the built dist/.
const alias = [
  { find: /^simdconv\/reference$/, replacement: fileURLToPath(new URL('./dist/reference/index.js', import.meta.url)) },
  { find: /^simdconv$/, replacement: fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
];

// Debian's chromium; Playwright cannot download its own browser on these machines.
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/** The files that check numbers against the reference and the peers, rerun on the FMA build. */
const RELAXED_SIMD_SUITES = [
  'conformance', 'forced-paths', 'fuzz', 'conv1d', 'conv3d', 'conv-transpose2d', 'residual', 'threads', 'image', 'seed',
  'networks.node', 'oracle-tfjs.node', 'oracle-ort.node',
].map((name) => `tests/${name}.test.ts`);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.browser.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        // The numeric suites again on the relaxed-SIMD (fused multiply-add) build, which 'auto'
        // does not pick on Node 20 (Chromium, which validates relaxed SIMD, runs it for every file).
        test: {
          name: 'node-relaxed-simd',
          environment: 'node',
          include: RELAXED_SIMD_SUITES,
          setupFiles: ['tests/setup/relaxed-simd.ts'],
          testTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        // Cross-origin isolated, so that SharedArrayBuffer exists and the thread pool is tested.
        server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
        test: {
          name: 'chromium',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.node.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
