// Where a pointwise conv's time goes: run alone, dataSync alone, both; tfjs the same.
import { init, createConv2d, tensor } from '../dist/index.js';
import { tfjsWasm } from '../build/ts/src/bench/peers.js';
const [K, M, H] = (process.argv[2] ?? '16,96,112').split(',').map(Number);
const layout = process.argv[3] ?? 'NHWC';
const algorithm = process.argv[4] ?? 'gemm';
await init({ threads: 1 });
const tf = await tfjsWasm();
const W = H, rnd = () => Math.random() * 2 - 1;
const w = Float32Array.from({ length: K * M }, rnd), b = Float32Array.from({ length: M }, rnd);
const xd = Float32Array.from({ length: H * W * K }, rnd);
const x = tensor(xd, layout === 'NHWC' ? [1, H, W, K] : [1, K, H, W]);
const conv = createConv2d({ data: w, shape: [1, 1, K, M] }, { layout, bias: b, activation: 'relu6', algorithm, weightLayout: 'HWIO' });
const tx = tf.tensor4d(xd, [1, H, W, K]), tw = tf.tensor4d(w, [1, 1, K, M]), tb = tf.tensor1d(b);
const fixed = conv.run(x);
const tfFixed = tf.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'valid', bias: tb, activation: 'relu6' });
const cases = {
  'ours run': () => conv.run(x).dispose(),
  'ours dataSync': () => fixed.dataSync(),
  'ours both': () => { const y = conv.run(x); y.dataSync(); y.dispose(); },
  'tf run': () => { tf.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'valid', bias: tb, activation: 'relu6' }).dispose(); },
  'tf dataSync': () => tfFixed.dataSync(),
  'tf both': () => { const y = tf.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'valid', bias: tb, activation: 'relu6' }); y.dataSync(); y.dispose(); },
  'memcpy (slice)': () => xd.slice(),
};
const big = new Float32Array(H * W * M);
cases['slice out-size'] = () => big.slice();
const names = Object.keys(cases), t = names.map(() => []);
for (let i = 0; i < 5; i++) names.forEach((n) => cases[n]());
for (let r = 0; r < 41; r++) names.forEach((n, i) => { const s = process.hrtime.bigint(); cases[n](); t[i].push(Number(process.hrtime.bigint() - s) / 1e6); });
const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
const flops = 2 * K * M * H * W;
names.forEach((n, i) => console.log(`${n.padEnd(16)} ${med(t[i]).toFixed(3)} ms  ${(flops / med(t[i]) / 1e6).toFixed(1)} GF/s-equiv`));
