// Kernel-only timing of NHWC depthwise variants (exports named on the command line, same ABI as
// depthwiseNHWC), 3×3 pad 1 + bias + ReLU6, interleaved in one process, medians; checks that
// every variant writes the same bytes as the first.
// Usage: node bench/dw-kernel.mjs depthwiseNHWC [otherExport ...]
import { init } from '../dist/index.js';
import { getRuntime } from '../dist/runtime.js';

const names = process.argv.slice(2);
if (names.length === 0) names.push('depthwiseNHWC');
const LAYERS = [[32, 112, 1], [96, 112, 2], [144, 56, 1], [144, 56, 2], [192, 28, 1], [192, 28, 2], [384, 14, 1], [576, 14, 1], [576, 14, 2], [960, 7, 1]];
await init({ threads: 1 });
const rt = getRuntime();
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const [c, size, stride] of LAYERS) {
  const out = Math.floor((size + 2 - 3) / stride) + 1;
  const cp = Math.ceil(c / 8) * 8;
  const xPtr = rt.arena.alloc(size * size * c * 4 + 64);
  const wPtr = rt.arena.alloc(9 * cp * 4 * 2); // room for packings up to 2× (variants may pack differently)
  const bPtr = rt.arena.alloc(cp * 4);
  const yPtrs = names.map(() => rt.arena.alloc(out * out * c * 4 + 64));
  const f32 = new Float32Array(rt.memory.buffer);
  for (let i = 0; i < size * size * c; i++) f32[xPtr / 4 + i] = Math.random() * 2 - 1;
  for (let i = 0; i < 9 * cp * 2; i++) f32[wPtr / 4 + i] = Math.random() - 0.5;
  for (let i = 0; i < cp; i++) f32[bPtr / 4 + i] = Math.random() - 0.5;
  const k = rt.kernels;
  const call = (name, y) => k[name](xPtr, size, size, c, 3, 3, stride, stride, 1, 1, 1, 1, out, out, wPtr, bPtr, Number(process.env.ACT ?? 2), 0, y, out);
  names.forEach((n, i) => call(n, yPtrs[i]));
  const view = (p) => new Uint32Array(rt.memory.buffer, p, out * out * c);
  for (let i = 1; i < names.length; i++) {
    const a = view(yPtrs[0]), b = view(yPtrs[i]);
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) { console.log(`${names[i]} differs at ${j}`); break; }
  }
  let reps = 1;
  while ((() => { const t = performance.now(); for (let r = 0; r < reps; r++) call(names[0], yPtrs[0]); return performance.now() - t; })() < 2) reps *= 2;
  const times = names.map(() => []);
  for (let round = 0; round < 41; round++) {
    names.forEach((n, i) => {
      const t = performance.now();
      for (let r = 0; r < reps; r++) call(n, yPtrs[i]);
      times[i].push((performance.now() - t) / reps);
    });
  }
  const base = median(times[0]);
  console.log(`${String(c).padStart(3)}@${String(size).padStart(3)}² s${stride}  ` + names.map((n, i) => `${n} ${(median(times[i]) * 1000).toFixed(0)} µs${i ? ` (${(base / median(times[i])).toFixed(2)}×)` : ''}`).join('  '));
}
