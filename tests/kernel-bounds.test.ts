// Every kernel path writes its output and nothing past it: each run's output buffer is exactly
// the output's size, followed by sentinel floats that must come back untouched, and the output
// must equal the one-shot conv2d's. Row widths cover every residue of the vector blocks (a block
// of four vectors taken with 15 columns left writes one float past a row; at the end of the
// last row that float is past the output, where no result comparison sees it).
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, init } from 'simdconv';
import { getRuntime } from '../dist/runtime.js';
import { PreparedConv2d } from '../dist/ops/conv2d.js';
import { pick, randomInt, randomTensor, seededRandom } from './helpers.js';

const SENTINELS = 32;
const SENTINEL = -123456.75;

beforeAll(async () => {
  // The calling thread's kernels on exactly the buffers given here.
  await init({ parallelThreshold: Infinity });
});

describe('kernel bounds', () => {
  it('600 random calls on every path and layout write inside their output only', () => {
    const rt = getRuntime();
    const random = seededRandom(2026);
    // Then the NCHW 3×3 plane kernel on the inputs it still copies (stride 2, or no padding: a
    // stride-1 'same' plane is read in place), with 15 columns past its last block of 16.
    const planeCases = [[2, 'same', 29], [2, 'same', 30], [2, 'same', 61], [1, 'valid', 17], [1, 'valid', 33], [1, 'valid', 49]] as const;
    for (let i = 0; i < 600 + planeCases.length; i++) {
      const plane = planeCases[i - 600];
      const layout = plane ? 'NCHW' : pick(random, ['NCHW', 'NHWC'] as const);
      const algorithm = plane ? 'depthwise' : pick(random, ['gemm', 'direct', 'depthwise', 'winograd'] as const);
      const depthwise = algorithm === 'depthwise';
      const C = depthwise ? randomInt(random, 1, 20) : randomInt(random, 1, 12);
      const M = depthwise ? C : randomInt(random, 1, 20);
      const k = plane || algorithm === 'winograd' ? 3 : pick(random, [1, 3, 5]);
      const stride = plane ? plane[0] : algorithm === 'winograd' ? 1 : pick(random, [1, 1, 2]);
      // Output widths of every residue modulo 16 and 32 (the kernels' column blocks).
      const W = plane ? plane[2] : randomInt(random, k, 70);
      const H = randomInt(random, k, 12);
      const N = pick(random, [1, 1, 2]);
      const x = randomTensor(random, layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C]);
      const groups = depthwise ? C : 1;
      const w = randomTensor(random, layout === 'NCHW' ? [M, C / groups, k, k] : [k, k, C / groups, M]);
      const options = {
        layout, algorithm, stride, groups, padding: plane ? plane[1] : pick(random, ['same', 'valid', 1] as const),
        activation: pick(random, ['none', 'relu', 'relu6'] as const), bias: pick(random, [undefined, randomTensor(random, [M]).data]),
      };
      const label = `case ${i}: ${JSON.stringify({ ...options, bias: options.bias !== undefined, shape: x.shape, k })}`;
      const expected = conv2d(x, w, options);
      const conv = new PreparedConv2d(w, options);
      const plan = conv.plan(x.shape);
      const outFloats = expected.data.length;
      const input = rt.arena.alloc(x.data.length * 4 + 64);
      const output = rt.arena.alloc((outFloats + SENTINELS) * 4);
      const scratch = rt.arena.alloc(plan.algorithm.scratchBytes(plan.geometry) + 64);
      try {
        new Float32Array(rt.memory.buffer, input, x.data.length).set(x.data);
        new Float32Array(rt.memory.buffer, output, outFloats + SENTINELS).fill(SENTINEL);
        conv.runInMemory(plan, input, output, scratch);
        const written = new Float32Array(rt.memory.buffer, output, outFloats + SENTINELS).slice();
        const past = written.subarray(outFloats).findIndex((v) => v !== SENTINEL);
        if (past !== -1) expect.fail(`${label}: float ${past} past the output was written (${written[outFloats + past]})`);
        const first = expected.data.findIndex((v, j) => !Object.is(v, written[j]));
        if (first !== -1) expect.fail(`${label}: output ${first} is ${written[first]}, conv2d gives ${expected.data[first]}`);
      } finally {
        rt.arena.release(input);
        rt.arena.release(output);
        rt.arena.release(scratch);
        conv.release();
      }
    }
  });
});
