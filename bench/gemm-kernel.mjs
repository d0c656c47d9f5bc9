// The GEMM kernel alone, straight on the wasm exports (no library, no dataSync): several builds
// of the module side by side in one process, interleaved, medians, for the in-place shapes of
// MobileNetV2's 1×1 layers. For comparing tile variants quickly.
// usage: node bench/gemm-kernel.mjs [NHWC|NCHW] [rounds] a.wasm b.wasm …
// (a build that exports gemm4x8 instead of gemm — the old ABI — is called the same way.)
import { readFileSync } from 'node:fs';

const SHAPES = [
  [16, 96, 112], [24, 144, 56], [32, 192, 28], [64, 384, 14], [96, 576, 14], [160, 960, 7],
  [96, 24, 56], [144, 24, 56], [144, 32, 28], [192, 32, 28], [192, 64, 14], [384, 64, 14], [576, 96, 14], [960, 160, 7],
  [320, 1280, 7],
];
const RELU6 = Number(process.env.ACTIVATION ?? 2); // ACTIVATION_CODES in src/algorithms/algorithm.ts
const layout = process.argv[2] ?? 'NHWC';
const ROUNDS = Number(process.argv[3] ?? 31);
const files = process.argv.slice(4);
const PAGE = 65536;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };

const engines = files.map((file) => {
  const memory = new WebAssembly.Memory({ initial: 2048 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } });
  return { file, memory, gemm: exports.gemm ?? exports.gemm4x8, heap: (exports.heapBase() + 63) & ~63 };
});

let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
for (const [K, M, H] of SHAPES) {
  const pixels = H * H;
  const panelM = Math.ceil(M / 8) * 8;
  const panelMA = Math.ceil(M / 4) * 4;
  const x = Float32Array.from({ length: pixels * K + 16 }, rnd);
  const w = Float32Array.from({ length: K * Math.max(panelM, panelMA) }, rnd); // packed panels (values only matter for timing)
  const bias = Float32Array.from({ length: panelM }, rnd);
  const calls = engines.map((e) => {
    const base = e.heap;
    const wAt = base, bAt = wAt + w.byteLength, xAt = bAt + bias.byteLength + 64, yAt = xAt + x.byteLength + 64;
    const need = yAt + pixels * M * 4 + 64;
    if (need > e.memory.buffer.byteLength) e.memory.grow(Math.ceil((need - e.memory.buffer.byteLength) / PAGE));
    const f32 = new Float32Array(e.memory.buffer);
    f32.set(w, wAt / 4); f32.set(bias, bAt / 4); f32.set(x, xAt / 4);
    // NHWC: C[pixels × M] = X[pixels × K] (in place) · W[K × M] (8-column panels), column bias.
    // NCHW: C[M × pixels] = W[M × K] (4-row panels) · X[K × pixels] (in place), row bias.
    return layout === 'NHWC'
      ? () => e.gemm(pixels, M, K, xAt, wAt, yAt, M, 0, bAt, RELU6, 0, K, 0)
      : () => e.gemm(M, pixels, K, wAt, xAt, yAt, pixels, bAt, 0, RELU6, 0, 0, pixels);
  });
  const flops = 2 * K * M * pixels;
  const reps = Math.max(1, Math.round(2e7 / flops));
  const time = (f) => { const t = process.hrtime.bigint(); for (let i = 0; i < reps; i++) f(); return Number(process.hrtime.bigint() - t) / reps; };
  for (let i = 0; i < 5; i++) calls.forEach(time);
  const times = calls.map(() => []);
  for (let r = 0; r < ROUNDS; r++) calls.forEach((f, i) => times[i].push(time(f)));
  const med = times.map(median);
  const cells = med.map((t, i) => `${(flops / t).toFixed(1)}${i ? ` (${(med[0] / t).toFixed(2)}×)` : ''}`);
  console.log(`${layout} ${`${K}→${M}@${H}²`.padEnd(14)} GF/s ${cells.join(' | ')}`);
}
