// The relaxed-SIMD (fused multiply-add) build, asked for explicitly: on Node 20 init turns on
// V8's experimental flag for it. Runs in a process of its own (vitest isolates files), so this
// file's first init chooses the build. The numeric suites run on this build too (the
// 'node-relaxed-simd' project in vitest.config.ts); this file checks that it is the build in use.
import { describe, expect, it } from 'vitest';
import { conv2d, conv2dAsync, info, init, terminate } from 'simdconv';

// Two input channels through a 1×1 kernel: −1·(1 + 2⁻¹¹) + (1 + 2⁻¹²)². The exact sum is 2⁻²⁴.
// Rounded separately, (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ is a tie that rounds to 1 + 2⁻¹¹ (even), so
// mul-then-add gives 0; one fused multiply-add keeps 2⁻²⁴.
const a = 1 + 2 ** -12;
const fusedCase = {
  NCHW: { x: { data: new Float32Array([-1, -1, -1, -1, a, a, a, a]), shape: [1, 2, 2, 2] }, w: { data: new Float32Array([1 + 2 ** -11, a]), shape: [1, 2, 1, 1] } },
  NHWC: { x: { data: new Float32Array([-1, a, -1, a, -1, a, -1, a]), shape: [1, 2, 2, 2] }, w: { data: new Float32Array([1 + 2 ** -11, a]), shape: [1, 1, 2, 1] } },
} as const;

describe("init({ isa: 'relaxed-simd' })", () => {
  it('loads the relaxed-SIMD build, whose GEMM and direct paths fuse each multiply-add, on the workers too', async () => {
    await init({ isa: 'relaxed-simd', threads: 2, parallelThreshold: 0 });
    expect(info().isa).toBe('relaxed-simd');
    expect(info().threads).toBe(2);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const { x, w } = fusedCase[layout];
      for (const algorithm of ['gemm', 'direct'] as const) {
        expect(Array.from(conv2d(x, w, { layout, algorithm }).data), `${layout} ${algorithm}`).toEqual([2 ** -24, 2 ** -24, 2 ** -24, 2 ** -24]);
        const before = info().poolTasks;
        const pooled = await conv2dAsync(x, w, { layout, algorithm });
        expect(info().poolTasks, `${layout} ${algorithm} ran on a worker`).toBeGreaterThan(before);
        expect(Array.from(pooled.data), `${layout} ${algorithm} on a worker`).toEqual([2 ** -24, 2 ** -24, 2 ** -24, 2 ** -24]);
      }
    }
    // The build is fixed now: the other one is refused, the same one or 'auto' accepted.
    await expect(init({ isa: 'simd128' })).rejects.toThrowError(/^init: options\.isa 'simd128' cannot replace the 'relaxed-simd' build already loaded/);
    await init({ isa: 'relaxed-simd' });
    await init({ isa: 'auto' });
    terminate();
  });
});
