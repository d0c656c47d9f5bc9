// Winograd against packed GEMM on three 3×3 'same' layers, both layouts: prepared convs
// (createConv2d(...).run), interleaved run by run in one process, median of 20 runs after 5
// warm-up runs, GFLOP/s counted as the direct algorithm's 2 × N·M·OH·OW·C·9 / time.
// Build and run: npm run build && npm run build:bench && node build/ts/bench/winograd-probe.js [rounds]

import { createConv2d, init, type Layout, type Tensor } from '../src/index.js';

const LAYERS: Array<[channels: number, size: number, filters: number]> = [[64, 56, 64], [256, 14, 256], [32, 112, 32]];
const ALGORITHMS = ['winograd', 'gemm'] as const;
const WARM_UP = 5;
const RUNS = 20;

function randomTensor(shape: number[], seed: number): Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return { data, shape };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

await init();
const rounds = Number(process.argv[2] ?? 1);
for (let round = 0; round < rounds; round++) {
  for (const [channels, size, filters] of LAYERS) {
    for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
      const input = randomTensor(layout === 'NCHW' ? [1, channels, size, size] : [1, size, size, channels], 1);
      const weight = randomTensor(layout === 'NCHW' ? [filters, channels, 3, 3] : [3, 3, channels, filters], 2);
      const convs = ALGORITHMS.map((algorithm) => createConv2d(weight, { layout, padding: 'same', algorithm }));
      const times: number[][] = ALGORITHMS.map(() => []);
      for (let run = 0; run < WARM_UP + RUNS; run++) {
        convs.forEach((conv, i) => {
          const start = performance.now();
          conv.run(input);
          if (run >= WARM_UP) times[i]!.push(performance.now() - start);
        });
      }
      convs.forEach((conv) => conv.dispose());
      const flops = 2 * filters * size * size * channels * 9;
      const cells = ALGORITHMS.map((algorithm, i) => {
        const ms = median(times[i]!);
        return `${algorithm} ${ms.toFixed(3)} ms ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`;
      });
      console.log(`${channels}→${filters} 3×3 @${size}² ${layout}: ${cells.join(' | ')}`);
    }
  }
}
