// The one place for module loading and WebAssembly memory. The kernel bytes are embedded
// (src/generated/kernel-wasm.ts, written by the build), so the package loads without
// configuration in Node, through bundlers and from a plain <script type="module">.
// Instantiation goes through @assemblyscript/loader here and nowhere else.

import { instantiate } from '@assemblyscript/loader';
import { Arena } from './arena.js';
import { KERNEL_WASM_BASE64 } from './generated/kernel-wasm.js';

/** The kernel ABI: pointers are byte offsets into linear memory, sizes are element counts. */
export type KernelExports = {
  heapBase(): number;
  allFinite(ptr: number, count: number): boolean;
  gemm4x8(
    rows: number, cols: number, depth: number, a: number, b: number,
    out: number, outRowStride: number, rowBias: number, colBias: number, activation: number, alpha: number,
    aRowStride: number, bRowStride: number,
  ): void;
  packWeights(
    src: number, count: number, channels: number, kernelH: number, kernelW: number,
    strideFilter: number, strideChannel: number, strideRow: number, strideCol: number,
    channelsLast: boolean, panelWidth: number, dst: number,
  ): void;
  padPlane(
    src: number, height: number, width: number, padTop: number, padLeft: number,
    paddedHeight: number, paddedWidth: number, dst: number,
  ): void;
  packInputColumnsNCHW(
    padded: number, rowBytes: number, planeBytes: number, channels: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    outWidth: number, p0: number, pixelCount: number, dst: number,
  ): void;
  imageToFloat(
    src: number, width: number, height: number, mode: number,
    padTop: number, padLeft: number, padRight: number, edge: number, dst: number, rowPitch: number, rowBegin: number, rowCount: number,
  ): void;
  floatToImage(
    src: number, second: number, width: number, height: number, mode: number, bias: number, absolute: boolean, original: number, dst: number,
  ): void;
  scatterPhase(
    src: number, srcPlane: number, srcRow: number, dst: number, dstPlane: number, dstRow: number,
    planes: number, rows: number, cols: number, element: number, row0: number, rowStep: number, col0: number, colStep: number,
  ): void;
  packInputRowsNHWC(
    padded: number, rowBytes: number, pixelBytes: number, channels: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    outWidth: number, p0: number, pixelCount: number, dst: number,
  ): void;
  directNCHW4x8(
    filters: number, depth: number, packedA: number, offsets: number,
    padded: number, rowBytes: number, strideH: number, strideW: number,
    outHeight: number, outWidth: number, out: number, rowBias: number, activation: number, alpha: number,
  ): void;
  directNHWC4x8(
    filters: number, depth: number, packedB: number, offsets: number,
    padded: number, rowBytes: number, pixelBytes: number, strideH: number, strideW: number,
    outHeight: number, outWidth: number, out: number, outPixelBytes: number, colBias: number, activation: number, alpha: number,
  ): void;
  packDepthwiseWeights(
    src: number, channels: number, kernelH: number, kernelW: number,
    strideFilter: number, strideRow: number, strideCol: number, channelsLast: boolean, dst: number,
  ): void;
  depthwiseNHWC(
    x: number, height: number, width: number, channels: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    padTop: number, padLeft: number, outHeight: number, outWidth: number,
    weights: number, bias: number, activation: number, alpha: number, y: number, outRowPixels: number,
  ): void;
  depthwisePlaneNCHW(
    padded: number, paddedWidth: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    outHeight: number, outWidth: number, weights: number, bias: number, activation: number, alpha: number, y: number,
    outRowPixels: number,
  ): void;
  winogradPackWeights(
    src: number, count: number, channels: number,
    strideFilter: number, strideChannel: number, strideRow: number, strideCol: number,
    cp: number, mp: number, dst: number,
  ): void;
  winogradStageNCHW(
    x: number, height: number, width: number, channels: number,
    row0: number, rowStep: number, rows: number, col0: number, colStep: number, cols: number, cp: number, dst: number,
  ): void;
  winogradStageNHWC(
    x: number, height: number, width: number, channels: number, pixelStride: number,
    row0: number, rowStep: number, rows: number, col0: number, colStep: number, cols: number, cp: number, dst: number,
  ): void;
  winogradInput(
    stage: number, stageCols: number, cp: number, blockRows: number, blockCols: number,
    v: number, xiStride: number, paddedTiles: number, tmp: number,
  ): void;
  winogradGemm(
    tiles: number, mp: number, cp: number, v: number, vXiStride: number, u: number, o: number, oXiStride: number,
  ): void;
  winogradOutput(
    o: number, xiStride: number, mp: number, filters: number,
    ty0: number, tx0: number, blockRows: number, blockCols: number,
    outH: number, outW: number, channelsLast: boolean, rowBytes: number, colBytes: number, filterBytes: number,
    y: number, bias: number, activation: number, alpha: number, tmp: number,
  ): void;
};

export interface Runtime {
  readonly kernels: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
}

let runtime: Runtime | null = null;
let loading: Promise<void> | null = null;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function load(): Promise<void> {
  const memory = new WebAssembly.Memory({ initial: 16 });
  const { exports } = await instantiate<KernelExports>(decodeBase64(KERNEL_WASM_BASE64), { env: { memory } });
  const grow = (bytes: number): number => {
    try {
      memory.grow(bytes / 65536);
    } catch (cause) {
      throw new RangeError(`simdconv: WebAssembly memory could not grow by ${bytes} bytes beyond ${memory.buffer.byteLength}`, { cause });
    }
    return memory.buffer.byteLength;
  };
  runtime = { kernels: exports, memory, arena: new Arena(exports.heapBase(), memory.buffer.byteLength, grow) };
}

/** Loads and instantiates the kernels. Idempotent: later calls return the same promise. */
export function init(): Promise<void> {
  if (!loading) {
    loading = load().catch((error: unknown) => {
      loading = null; // let a later init() retry
      throw error;
    });
  }
  return loading;
}

/** The loaded runtime; throws a clear Error when init() has not completed. */
export function getRuntime(): Runtime {
  if (!runtime) throw new Error('simdconv: call `await init()` once before any convolution or image filter (it loads the WebAssembly kernels)');
  return runtime;
}

/**
 * A Float32Array view of `length` floats at `ptr`. Views detach when memory grows: take one
 * right before use, after every allocation.
 */
export function floatView(rt: Runtime, ptr: number, length: number): Float32Array {
  return new Float32Array(rt.memory.buffer, ptr, length);
}

/** Copies `data` into a new region; the caller releases it. */
export function allocCopy(rt: Runtime, data: Float32Array, padToFloats = data.length): number {
  const ptr = rt.arena.alloc(padToFloats * 4);
  const view = floatView(rt, ptr, padToFloats);
  view.set(data);
  view.fill(0, data.length);
  return ptr;
}
