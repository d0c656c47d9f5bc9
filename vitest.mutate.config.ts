// The test run StrykerJS mutates against (npm run mutate): the Node tests that exercise shapes,
// semantics, image kernels and the reference, importing the TypeScript sources (not dist/) so
// that a mutant in src/ reaches them. Process-spawning, peer and thread tests are left to the
// main suite: they test packaging, workers and peers, not the mutated files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/**
 * Mutating the reference instruments its loops, which then run about 100 times slower: that run
 * (stryker.reference.config.json sets MUTATE_TARGET=reference) takes the tests that compare
 * small cases with it or pin it by hand, not the big-image ones, which check the fast path's
 * blocking on the reference's output and would take minutes per mutant.
 */
const referenceTests = [
  'tests/fuzz.test.ts', 'tests/semantics.test.ts', 'tests/image.test.ts', 'tests/reference-errors.test.ts', 'tests/defaults.test.ts',
  'tests/seed.test.ts', 'tests/conv1d.test.ts', 'tests/conv3d.test.ts', 'tests/conv-transpose2d.test.ts',
];

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
    include: process.env.MUTATE_TARGET === 'reference' ? referenceTests : ['tests/**/*.test.ts'],
    exclude: [
      'tests/**/*.browser.test.ts', 'tests/threads*.test.ts', 'tests/terminate.test.ts', 'tests/cli.node.test.ts', 'tests/package.node.test.ts',
      'tests/demo.node.test.ts', 'tests/peers.node.test.ts', 'tests/oracle-*.node.test.ts', 'tests/reference-independence.node.test.ts',
    ],
    testTimeout: 120_000,
  },
});
