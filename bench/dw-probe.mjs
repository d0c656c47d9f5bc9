// Depthwise 3×3 pad 1 (+bias, ReLU6) on resident inputs against tfjs-backend-wasm (XNNPACK), one
// thread, in one process: the two interleaved round by round, median time ratio (tfjs / ours).
// Usage: node bench/dw-probe.mjs [NHWC|NCHW|both] [rounds]   (after npm run build && npm run build:bench)
import { init, createConv2d, tensor } from '../dist/index.js';
import { tfjsWasm } from '../build/ts/src/bench/peers.js';

const LAYERS = [ // MobileNetV2's depthwise layers: [channels, size, stride]
  [32, 112, 1], [96, 112, 2], [144, 56, 1], [144, 56, 2], [192, 28, 1], [192, 28, 2],
  [384, 14, 1], [576, 14, 1], [576, 14, 2], [960, 7, 1],
];
const which = process.argv[2] ?? 'both';
const rounds = Number(process.argv[3] ?? 40);
const layouts = which === 'both' ? ['NHWC', 'NCHW'] : [which];

await init({ threads: 1 });
const tf = await tfjsWasm();
const random = (n) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const time = (f) => { const t = performance.now(); f(); return performance.now() - t; };
/** Enough calls per sample for ~2 ms, so timer resolution does not matter. */
function repeats(f) { let n = 1; while (time(() => { for (let i = 0; i < n; i++) f(); }) < 2) n *= 2; return n; }

for (const layout of layouts) {
  for (const [c, size, stride] of LAYERS) {
    const hwio = random(9 * c);
    const bias = random(c);
    const data = random(size * size * c);
    const nhwc = layout === 'NHWC';
    // NCHW: the same values transposed, OIHW weights [C, 1, 3, 3] (HWIO [3,3,1,C] transposed).
    const weight = nhwc ? { data: hwio, shape: [3, 3, 1, c] } : { data: Float32Array.from({ length: 9 * c }, (_, i) => hwio[(i % 9) * c + Math.floor(i / 9)]), shape: [c, 1, 3, 3] };
    const input = nhwc ? data : Float32Array.from({ length: data.length }, (_, i) => data[(i % (size * size)) * c + Math.floor(i / (size * size))]);
    const conv = createConv2d(weight, { layout, groups: c, padding: 1, stride, bias, activation: 'relu6' });
    const x = tensor(input, nhwc ? [1, size, size, c] : [1, c, size, size]);
    const ours = () => { const y = conv.run(x); y.dataSync(); y.dispose(); };
    const tx = tf.tensor4d(data, [1, size, size, c]);
    const tw = tf.tensor4d(hwio, [3, 3, c, 1]);
    const tb = tf.tensor1d(bias);
    const peer = () => { const y = tf.fused.depthwiseConv2d({ x: tx, filter: tw, strides: stride, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], bias: tb, activation: 'relu6' }); y.dataSync(); y.dispose(); };
    // Check once that both compute the same thing (NHWC only: same memory order).
    if (nhwc) {
      const a = conv.run(x); const av = a.dataSync(); a.dispose();
      const b = tf.fused.depthwiseConv2d({ x: tx, filter: tw, strides: stride, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], bias: tb, activation: 'relu6' });
      const bv = b.dataSync(); b.dispose();
      let err = 0; for (let i = 0; i < av.length; i++) err = Math.max(err, Math.abs(av[i] - bv[i]));
      if (!(err < 1e-4)) throw new Error(`mismatch ${err}`);
    }
    for (let i = 0; i < 20; i++) { ours(); peer(); }
    const n = Math.max(repeats(ours), repeats(peer));
    const ratios = [], tOurs = [], tPeer = [];
    for (let r = 0; r < rounds; r++) {
      const flip = r & 1; // alternate who goes first
      let a, b;
      if (flip) { b = time(() => { for (let i = 0; i < n; i++) peer(); }); a = time(() => { for (let i = 0; i < n; i++) ours(); }); }
      else { a = time(() => { for (let i = 0; i < n; i++) ours(); }); b = time(() => { for (let i = 0; i < n; i++) peer(); }); }
      ratios.push(b / a); tOurs.push(a / n); tPeer.push(b / n);
    }
    console.log(`${layout} ${String(c).padStart(3)}@${String(size).padStart(3)}² s${stride}  ours ${(median(tOurs) * 1000).toFixed(0).padStart(5)} µs  tfjs ${(median(tPeer) * 1000).toFixed(0).padStart(5)} µs  tfjs/ours ${median(ratios).toFixed(2)}`);
    conv.dispose(); x.dispose(); tx.dispose(); tw.dispose(); tb.dispose();
  }
}
