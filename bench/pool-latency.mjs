// The cost of one call on the worker pool: runAsync of a tiny conv (parallelThreshold 0) after
// 0, 1 and 5 ms of idle workers, against run() on the calling thread. npm run build first.
import { init, createConv2d, tensor, info } from '../dist/index.js';
await init({ threads: 2, parallelThreshold: 0 });
const x = tensor(new Float32Array(8 * 8 * 8).fill(1), [1, 8, 8, 8]);
const conv = createConv2d({ data: new Float32Array(8 * 8 * 9).fill(0.1), shape: [8, 8, 3, 3] }, { padding: 1 });
for (let i = 0; i < 200; i++) { conv.run(x).dispose(); (await conv.runAsync(x)).dispose(); }
for (const idle of [0, 1, 5]) {
  const times = [];
  for (let i = 0; i < 50; i++) {
    if (idle) await new Promise((r) => setTimeout(r, idle));
    const t0 = performance.now();
    (await conv.runAsync(x)).dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const t0 = performance.now(); for (let i = 0; i < 50; i++) conv.run(x).dispose(); const sync = (performance.now() - t0) / 50;
  console.log(`idle ${idle} ms before: runAsync median ${(times[25] * 1000).toFixed(0)} µs (run ${(sync * 1000).toFixed(0)} µs)`);
}
process.exit(0);
