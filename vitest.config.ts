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
