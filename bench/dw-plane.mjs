// Profile of the NCHW depthwise kernel (depthwiseNCHW), 3×3 pad 1 + bias + ReLU6, one thread: per
// layer all channels with the phase-split copy (what the path does) against the kernel alone
// (reading the already split scratch plane in place), interleaved round by round, medians.
// Usage: node bench/dw-plane.mjs [rounds]   (after npm run build)
import { init } from '../dist/index.js';
import { getRuntime } from '../dist/runtime.js';

const LAYERS = [[32, 112, 1], [96, 112, 2], [144, 56, 1], [144, 56, 2], [192, 28, 1], [192, 28, 2], [384, 14, 1], [576, 14, 1], [576, 14, 2], [960, 7, 1]];
const LANES = 4;
const rounds = Number(process.argv[2] ?? 31);
await init({ threads: 1 });
const rt = getRuntime();
const k = rt.kernels;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const [c, size, stride] of LAYERS) {
  const out = Math.floor((size + 2 - 3) / stride) + 1;
  const rows = size + 2;
  // As src/algorithms/depthwise.ts phaseWidth.
  const read = Math.ceil(out / LANES) * LANES + Math.floor(2 / stride);
  const phaseWidth = stride === 1 ? Math.max(size + 2, read) : read;
  const x = rt.arena.alloc(size * size * c * 4 + 64);
  const w = rt.arena.alloc(9 * c * 4);
  const bias = rt.arena.alloc(c * 4 + 64);
  const scratch = rt.arena.alloc(rows * stride * phaseWidth * 4 + 64);
  const y = rt.arena.alloc(out * out * c * 4 + 64);
  const f32 = new Float32Array(rt.memory.buffer);
  for (let i = 0; i < size * size * c; i++) f32[x / 4 + i] = Math.random() * 2 - 1;
  for (let i = 0; i < 9 * c; i++) f32[w / 4 + i] = Math.random() - 0.5;
  const call = (copies) => k.depthwiseNCHW(
    copies ? x : scratch, c, copies ? size * size : 0, size, size, size, 1, 1, copies, scratch, rows, phaseWidth,
    3, 3, stride, stride, 1, 1, out, out, w, bias, 2, 0, y, out * out, out);
  const variants = { total: () => call(true), kernel: () => call(false) };
  let reps = 1;
  while ((() => { const t = performance.now(); for (let r = 0; r < reps; r++) variants.total(); return performance.now() - t; })() < 3) reps *= 2;
  const times = Object.fromEntries(Object.keys(variants).map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [n, f] of Object.entries(variants)) {
      const t = performance.now();
      for (let r = 0; r < reps; r++) f();
      times[n].push((performance.now() - t) / reps);
    }
  }
  const m = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, median(t) * 1000]));
  console.log(`${String(c).padStart(3)}@${String(size).padStart(3)}² s${stride}  copy+kernel ${m.total.toFixed(0).padStart(5)} µs  kernel ${m.kernel.toFixed(0).padStart(5)} µs  copy share ${((1 - m.kernel / m.total) * 100).toFixed(0)}%`);
}
