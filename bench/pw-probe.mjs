// Pointwise-conv probe: simdconv (resident Tensor in, dataSync out) vs tfjs-backend-wasm
// fused conv2d (resident tf tensor, dataSync), interleaved in one process, medians.
// usage: node bench/pw-probe.mjs [NHWC|NCHW|both] [rounds] [variants] [filter]
// variants: comma-separated algorithm[@distDir], e.g. auto,gemm@/tmp/dist-base (a copy of an
// older dist/ loads as a separate library instance, so old and new run side by side).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { tfjsWasm } from '../build/ts/src/bench/peers.js';

const SHAPES = [
  [16, 96, 112], [24, 144, 56], [32, 192, 28], [64, 384, 14],
  [96, 24, 56], [144, 24, 56], [144, 32, 28], [192, 32, 28], [192, 64, 14], [384, 64, 14], [576, 96, 14], [960, 160, 7],
  [128, 256, 28],
];
const layouts = (process.argv[2] ?? 'NHWC') === 'both' ? ['NHWC', 'NCHW'] : [process.argv[2] ?? 'NHWC'];
const ROUNDS = Number(process.argv[3] ?? 41);
const algos = (process.argv[4] ?? 'auto').split(',');
const filter = process.argv[5];
const libs = new Map();
for (const v of algos) {
  const dir = v.split('@')[1] ?? 'dist';
  if (!libs.has(dir)) {
    const lib = await import(pathToFileURL(resolve(dir, 'index.js')).href);
    await lib.init({ threads: 1 });
    libs.set(dir, lib);
  }
}
const libOf = (v) => libs.get(v.split('@')[1] ?? 'dist');
const tf = await tfjsWasm();
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const timeOnce = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };

for (const [K, M, H] of SHAPES) {
  const name = `${K}→${M}@${H}²`;
  if (filter && !name.includes(filter)) continue;
  const W = H;
  const w = Float32Array.from({ length: K * M }, rnd);
  const b = Float32Array.from({ length: M }, rnd);
  const xNHWC = Float32Array.from({ length: H * W * K }, rnd);
  const tx = tf.tensor4d(xNHWC, [1, H, W, K]);
  const tw = tf.tensor4d(w, [1, 1, K, M]);
  const tb = tf.tensor1d(b);
  // PW_MODE=run times the convolution alone (output left resident), without the dataSync copy.
  const readBack = process.env.PW_MODE !== 'run';
  const runTf = () => { const y = tf.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'valid', bias: tb, activation: 'relu6' }); if (readBack) y.dataSync(); y.dispose(); };
  for (const layout of layouts) {
    let xData = xNHWC;
    if (layout === 'NCHW') {
      xData = new Float32Array(K * H * W);
      for (let p = 0; p < H * W; p++) for (let c = 0; c < K; c++) xData[c * H * W + p] = xNHWC[p * K + c];
    }
    const xs = algos.map((v) => libOf(v).tensor(xData, layout === 'NHWC' ? [1, H, W, K] : [1, K, H, W]));
    const convs = algos.map((v) => libOf(v).createConv2d({ data: w, shape: [1, 1, K, M] }, { layout, bias: b, activation: 'relu6', algorithm: v.split('@')[0], weightLayout: 'HWIO' }));
    const runs = convs.map((c, i) => () => { const y = c.run(xs[i]); if (readBack) y.dataSync(); y.dispose(); });
    const all = [runTf, ...runs];
    const flops = 2 * K * M * H * W;
    const reps = Math.max(1, Math.round(3e7 / flops));
    const rep = (f) => () => { for (let i = 0; i < reps; i++) f(); };
    for (let i = 0; i < 5; i++) all.forEach((f) => f());
    const times = all.map(() => []);
    for (let r = 0; r < ROUNDS; r++) all.forEach((f, i) => times[i].push(timeOnce(rep(f)) / reps));
    const med = times.map(median);
    const parts = algos.map((a, i) => `${a}: ${(flops / med[i + 1] / 1e6).toFixed(1)} GF/s tf/ours ${(med[0] / med[i + 1]).toFixed(2)}`);
    console.log(`${layout} ${name.padEnd(14)} tf ${(flops / med[0] / 1e6).toFixed(1)} GF/s | ${parts.join(' | ')}`);
    convs.forEach((c) => c.dispose?.());
    xs.forEach((x) => x.dispose());
  }
  tx.dispose(); tw.dispose(); tb.dispose();
}
