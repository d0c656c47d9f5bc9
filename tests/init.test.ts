// Runs in its own module graph (vitest isolates files), so the library starts uninitialised.
import { describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convTranspose2d, createConv1d, createConv2d, createConv3d, createConvTranspose2d, createDepthwiseConv2d,
  createSeparableConv2d, depthwiseConv2d, filterImage, info, init, separableConv2d,
} from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';

const x = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
const w = { data: new Float32Array([1, 1, 1, 1]), shape: [1, 1, 2, 2] };

describe('init', () => {
  it('every op and prepared form called before init() throws an Error that says to call init()', () => {
    const t = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
    const calls = [
      () => conv2d(x, w), () => createConv2d(w),
      () => conv1d(t([1, 1, 4]), t([1, 1, 2])), () => createConv1d(t([1, 1, 2])),
      () => conv3d(t([1, 1, 2, 2, 2]), t([1, 1, 1, 1, 1])), () => createConv3d(t([1, 1, 1, 1, 1])),
      () => convTranspose2d(x, w), () => createConvTranspose2d(w),
      () => depthwiseConv2d(x, t([1, 1, 2, 2])), () => createDepthwiseConv2d(t([1, 1, 2, 2])),
      () => separableConv2d(x, t([1, 1, 2, 2]), t([1, 1, 1, 1])), () => createSeparableConv2d(t([1, 1, 2, 2]), t([1, 1, 1, 1])),
      () => filterImage({ data: new Uint8ClampedArray(4), width: 1, height: 1 }, 'box'),
    ];
    for (const call of calls) {
      expect(call).toThrowError(Error);
      expect(call).toThrowError(/await init\(\)/);
    }
  });

  it('rejects bad options (it never throws), naming the argument and the value, before loading anything', async () => {
    const bad: Array<[unknown, ErrorConstructor, RegExp]> = [
      [5, TypeError, /^init: options must be an object/],
      [null, TypeError, /^init: options must be an object/],
      ...[0, -1, 1.5, Number.NaN, Infinity, 2 ** 53].map((threads): [unknown, ErrorConstructor, RegExp] =>
        [{ threads }, RangeError, new RegExp(`^init: options\\.threads must be a positive integer, got ${String(threads)}$`)]),
      ...[-1, -0.5, Number.NaN].map((parallelThreshold): [unknown, ErrorConstructor, RegExp] =>
        [{ parallelThreshold }, RangeError, new RegExp(`^init: options\\.parallelThreshold must be a number >= 0, got ${String(parallelThreshold)}$`)]),
      // Values of the wrong type: TypeError.
      [{ threads: '2' }, TypeError, /^init: options\.threads must be a positive integer, got string 2$/],
      [{ threads: null }, TypeError, /^init: options\.threads must be a positive integer, got object null$/],
      [{ parallelThreshold: '5' }, TypeError, /^init: options\.parallelThreshold must be a number >= 0, got string 5$/],
      [{ isa: 'avx2' }, RangeError, /^init: options\.isa must be 'auto', 'simd128' or 'relaxed-simd', got 'avx2'$/],
      [{ isa: 'SIMD128' }, RangeError, /^init: options\.isa must be 'auto', 'simd128' or 'relaxed-simd', got 'SIMD128'$/],
      [{ isa: 1 }, TypeError, /^init: options\.isa must be 'auto', 'simd128' or 'relaxed-simd', got number 1$/],
    ];
    for (const [options, type, message] of bad) {
      let returned: Promise<void> | undefined;
      expect(() => { returned = init(options as never); }, JSON.stringify(options)).not.toThrow();
      await expect(returned, JSON.stringify(options)).rejects.toThrowError(type!);
      await expect(init(options as never), JSON.stringify(options)).rejects.toThrowError(message);
    }
    // Nothing was loaded: ops still ask for init().
    expect(() => conv2d(x, w)).toThrowError(/await init\(\)/);
  });

  it('the reference needs no init()', () => {
    expect(Array.from(referenceConv2d(x, w).data)).toEqual([10]);
  });

  it("'auto' loads the relaxed-SIMD build exactly where the engine validates relaxed SIMD as it stands", async () => {
    // f32x4.relaxed_madd of three zero vectors, written here independently of the library's probe.
    const v128Zero = [0xfd, 0x0c, ...Array<number>(16).fill(0)];
    const body = [0x00, ...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x0b];
    const probe = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
    const engineHasRelaxedSimd = WebAssembly.validate(probe);
    await init();
    expect(info().isa).toBe(engineHasRelaxedSimd ? 'relaxed-simd' : 'simd128');
    // The build is fixed by the first init: asking for the other one later rejects and says so;
    // asking for the loaded one or 'auto' resolves.
    const other = info().isa === 'simd128' ? 'relaxed-simd' : 'simd128';
    await expect(init({ isa: other })).rejects.toThrowError(new RegExp(`^init: options\\.isa '${other}' cannot replace the '${info().isa}' build already loaded`));
    await init({ isa: info().isa });
    await init({ isa: 'auto' });
    expect(Array.from(conv2d(x, w).data)).toEqual([10]);
    // The build in use shows in the numbers: −1·(1 + 2⁻¹¹) + (1 + 2⁻¹²)² is 0 with mul then add
    // (the product's tie rounds to even) and 2⁻²⁴ with one fused multiply-add.
    const a = 1 + 2 ** -12;
    const sum = conv2d({ data: new Float32Array([-1, a]), shape: [1, 2, 1, 1] }, { data: new Float32Array([1 + 2 ** -11, a]), shape: [1, 2, 1, 1] }, { algorithm: 'gemm' });
    expect(sum.data[0]).toBe(engineHasRelaxedSimd ? 2 ** -24 : 0);
  });

  it('is idempotent: concurrent and repeated calls share one instance', async () => {
    const first = init();
    const second = init();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await init();
    expect(Array.from(conv2d(x, w).data)).toEqual([10]);
  });

  it('parallelThreshold: a later init() sets it; a refused one leaves it as it was', async () => {
    await init({ parallelThreshold: 0 });
    expect(info().parallelThreshold).toBe(0);
    await init({ parallelThreshold: 12_345 });
    expect(info().parallelThreshold).toBe(12_345);
    await expect(init({ parallelThreshold: -1 })).rejects.toThrowError(RangeError);
    expect(info().parallelThreshold).toBe(12_345);
    await init({ parallelThreshold: Infinity }); // never hand work to the pool
    expect(info().parallelThreshold).toBe(Infinity);
  });
});
