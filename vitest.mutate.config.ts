// The test run StrykerJS mutates against (npm run mutate): the Node tests that exercise shapes,
// semantics, image kernels and the reference, importing the TypeScript sources (not dist/) so
// that a mutant in src/ reaches them. Process-spawning, peer and thread tests are left to the
// main suite: they test packaging, workers and peers, not the mutated files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^simdconv\/reference$/, replacement: src('reference/index.ts') },
      { find: /^simdconv$/, replacement: src('index.ts') },
      // Tests that reach internals import them from dist/: the sources instead.
      { find: /^\.\.\/dist\/(.+)\.js$/, replacement: src('$1.ts') },
    ],
  },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    exclude: [
      'tests/**/*.browser.test.ts', 'tests/threads*.test.ts', 'tests/terminate.test.ts', 'tests/cli.node.test.ts', 'tests/package.node.test.ts',
      'tests/demo.node.test.ts', 'tests/peers.node.test.ts', 'tests/oracle-*.node.test.ts', 'tests/reference-independence.node.test.ts',
    ],
    testTimeout: 120_000,
  },
});
