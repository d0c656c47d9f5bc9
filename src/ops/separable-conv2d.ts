// separableConv2d: a depthwise convolution, then a 1×1 (pointwise) one, chained inside
// WebAssembly memory: the intermediate tensor is written and read there and never copied to
// JavaScript. Stride, padding and dilation belong to the depthwise step; bias and activation to
// the result (as Keras SeparableConv2D and tf.separableConv2d have them).

import { type Conv2d, type Conv2dPlan, outputBytes, PreparedConv2d } from './conv2d.js';
import { RunQueue, runOnce, runOnceAsync } from '../core/lifecycle.js';
import { Region } from '../memory/region.js';
import { floatView, READ_SLACK_BYTES, readFloats, writeFloats } from '../memory/staging.js';
import { DepthwiseStage } from './depthwise-conv2d.js';
import { checkCallFits } from '../memory/arena.js';
import { getRuntime } from '../runtime.js';
import { checkOptionKeys, checkTensor, conv2dOutputShape, inputAxes, OPTION_KEYS } from '../shape.js';
import type { SeparableConv2dOptions, Tensor } from '../types.js';

/**
 * Bytes of intermediate rows per band: inside L2 next to the packed block and weights. At least
 * BAND_PIXELS per band, or each band's GEMM would re-stream all the pointwise weights for a few
 * columns (measured: 576→160 at 14² slows 1.2–1.4× with one-row bands).
 */
const BAND_BYTES = 512 * 1024;
const BAND_PIXELS = 512;

export function createSeparableConv2d(depthwiseWeight: Tensor, pointwiseWeight: Tensor, options: SeparableConv2dOptions = {}): Conv2d {
  getRuntime();
  if (typeof options !== 'object' || options === null) throw new TypeError('createSeparableConv2d: options must be an object');
  checkOptionKeys(options, OPTION_KEYS.separableConv2d, 'separableConv2d');
  const { bias, activation, alpha, ...spatial } = options;
  const depthwise = new DepthwiseStage(depthwiseWeight, spatial);
  const pointwise = new PreparedConv2d(pointwiseWeight, {
    layout: depthwise.layout, weightLayout: options.weightLayout, bias, activation, ...(alpha === undefined ? {} : { alpha }),
  });
  const regions = { input: new Region(), middle: new Region(), output: new Region(), scratch: new Region() };
  let disposed = false;
  let zeroedMiddle = 0;
  /** Validates, plans and lays out one call, copies the input in; the steps run afterwards. */
  const prepare = (input: Tensor) => {
    if (disposed) throw new Error('simdconv: run() called on a disposed separableConv2d');
    const rt = getRuntime();
    const x = checkTensor('input', input, 4, inputAxes(depthwise.layout));
    const first = depthwise.convForShape(x.shape);
    const firstPlan = first.planFor(x);
    const secondPlan = pointwise.planForShape(conv2dOutputShape(firstPlan.geometry));
    const scratchBytes = Math.max(
      firstPlan.algorithm.scratchBytes(firstPlan.geometry), secondPlan.algorithm.scratchBytes(secondPlan.geometry),
    );
    // The pointwise step reads the intermediate where the depthwise step wrote it: as it is, or,
    // for a path that reads a zero-bordered layout, written straight in that layout (a 1×1 step
    // never reads the border, so it stays as zeroed once).
    const g2 = secondPlan.geometry;
    const image = secondPlan.algorithm.paddedInput?.(g2) ?? null;
    const inPlace = image !== null && firstPlan.algorithm.writesRowPitch === true &&
      g2.padTop === 0 && g2.padBottom === 0 && g2.padLeft === 0 && g2.padRight === 0 &&
      (g2.batch === 1 || image.bytes === g2.inChannels * image.height * image.width * 4);
    const middleBytes = inPlace ? g2.batch * image.bytes : outputBytes(firstPlan);
    checkCallFits('separableConv2d', { input: x.data.length * 4, intermediate: middleBytes, output: outputBytes(secondPlan), scratch: scratchBytes });
    // 64 bytes of slack after each input: vector kernels may read a few lanes past the end.
    const inputPtr = regions.input.ensure(rt, x.data.length * 4 + READ_SLACK_BYTES);
    const middlePtr = regions.middle.ensure(rt, middleBytes + READ_SLACK_BYTES);
    if (inPlace && middlePtr !== zeroedMiddle) {
      floatView(rt, middlePtr, middleBytes / 4).fill(0); // the border columns, once per allocation
      zeroedMiddle = middlePtr;
    }
    const outputPtr = regions.output.ensure(rt, outputBytes(secondPlan));
    const scratchPtr = regions.scratch.ensure(rt, scratchBytes);
    writeFloats(rt, inputPtr, x.data);
    return {
      first, firstPlan, secondPlan, inputPtr, middlePtr, outputPtr, scratchPtr,
      written: inPlace ? { outputRowPixels: image.width } : {},
      read: inPlace ? { inputPadded: true } : {},
      // Band by band only when the pointwise step does not copy its whole input at every call.
      banded: (inPlace || image === null) && firstPlan.algorithm.computesRowBands === true && secondPlan.algorithm.computesRowBands === true,
      rowPixels: inPlace ? image.width : g2.inW,
    };
  };
  const result = (secondPlan: Conv2dPlan, outputPtr: number): Tensor => {
    return { data: readFloats(getRuntime(), outputPtr, outputBytes(secondPlan) / 4), shape: conv2dOutputShape(secondPlan.geometry) };
  };
  const queue = new RunQueue('separableConv2d');
  return {
    run(input: Tensor): Tensor {
      queue.checkIdle();
      const c = prepare(input);
      const g2 = c.secondPlan.geometry;
      if (c.banded) {
        // Band by band: the pointwise step reads each band of intermediate rows from cache.
        const bandRows = Math.max(Math.ceil(BAND_PIXELS / g2.outW), Math.floor(BAND_BYTES / (g2.batch * g2.inChannels * c.rowPixels * 4)));
        for (let begin = 0; begin < g2.outH; begin += bandRows) {
          const rows = { begin, end: Math.min(g2.outH, begin + bandRows) };
          c.first.runInMemory(c.firstPlan, c.inputPtr, c.middlePtr, c.scratchPtr, { ...c.written, rows });
          pointwise.runInMemory(c.secondPlan, c.middlePtr, c.outputPtr, c.scratchPtr, { ...c.read, rows });
        }
      } else {
        c.first.runInMemory(c.firstPlan, c.inputPtr, c.middlePtr, c.scratchPtr, c.written);
        pointwise.runInMemory(c.secondPlan, c.middlePtr, c.outputPtr, c.scratchPtr, c.read);
      }
      return result(c.secondPlan, c.outputPtr);
    },
    runAsync(input: Tensor): Promise<Tensor> {
      // On the pool each step is split by rows over the workers, one step after the other.
      return queue.add(async () => {
        const c = prepare(input);
        await c.first.runInMemoryParallel(c.firstPlan, c.inputPtr, c.middlePtr, c.written);
        await pointwise.runInMemoryParallel(c.secondPlan, c.middlePtr, c.outputPtr, c.read);
        return result(c.secondPlan, c.outputPtr);
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      const release = () => {
        const rt = getRuntime();
        depthwise.dispose();
        pointwise.dispose();
        for (const region of Object.values(regions)) region.free(rt);
      };
      queue.whenIdle(release);
    },
  };
}

/**
 * Depthwise weights `[C·multiplier, 1, kH, kW]` (OIHW) or `[kH, kW, C, multiplier]` (HWIO), then
 * pointwise weights `[M, C·multiplier, 1, 1]` (OIHW) or `[1, 1, C·multiplier, M]` (HWIO).
 */
export function separableConv2d(input: Tensor, depthwiseWeight: Tensor, pointwiseWeight: Tensor, options?: SeparableConv2dOptions): Tensor {
  return runOnce(createSeparableConv2d(depthwiseWeight, pointwiseWeight, options), input);
}

/** separableConv2d on the worker pool. */
export function separableConv2dAsync(input: Tensor, depthwiseWeight: Tensor, pointwiseWeight: Tensor, options?: SeparableConv2dOptions): Promise<Tensor> {
  return runOnceAsync(createSeparableConv2d(depthwiseWeight, pointwiseWeight, options), input);
}
