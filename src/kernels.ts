// The kernel ABI and instantiation: the one place that turns kernel bytes into callable
// exports, used by the main thread (runtime.ts) and by every worker (worker.ts). Plain
// WebAssembly API: the kernels import only their memory and export plain functions.

/** The kernel ABI: pointers are byte offsets into linear memory, sizes are element counts. */
export type KernelExports = {
  heapBase(): number;
  allFinite(ptr: number, count: number): boolean;
  gemm(
    rows: number, cols: number, depth: number, a: number, b: number,
    out: number, outRowStride: number, rowBias: number, colBias: number, activation: number, alpha: number,
    aRowStride: number, bRowStride: number,
    /** 0, or room for one packed row group (16·depth bytes): A read in place is then packed per row group. */
    aPack: number,
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
    outHeight: number, outWidth: number, out: number, rowBias: number, activation: number, alpha: number, planeRows: number,
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
  depthwiseNCHW(
    src: number, channels: number, srcPlane: number, srcRow: number, rows: number, cols: number, padTop: number, padLeft: number,
    copies: boolean, scratch: number, paddedRows: number, phaseWidth: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    outHeight: number, outWidth: number, weights: number, bias: number, activation: number, alpha: number,
    y: number, outPlane: number, outRowPixels: number,
  ): void;
  planesInPlace3x3NCHW(
    src: number, channels: number, srcPlane: number, width: number, rows: number, padTop: number, scratch: number, outHeight: number,
    weights: number, bias: number, activation: number, alpha: number, y: number, outPlane: number, outRowPixels: number,
  ): void;
  blocked3x3NCHW(
    src: number, channels: number, srcPlane: number, srcRow: number, rows: number, cols: number, padTop: number, padLeft: number,
    scratch: number, strideH: number, strideW: number, outHeight: number, outWidth: number,
    weights: number, bias: number, activation: number, alpha: number, y: number, outPlane: number, outRowPixels: number,
  ): void;
  stride2x3NCHW(
    src: number, channels: number, srcPlane: number, srcRow: number, rows: number, cols: number, padTop: number, padLeft: number,
    scratch: number, strideH: number, outHeight: number, outWidth: number,
    weights: number, bias: number, activation: number, alpha: number, y: number, outPlane: number, outRowPixels: number,
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
    tiles: number, mp: number, cp: number, v: number, vXiStride: number, u: number, o: number, oXiStride: number, uFilters: number,
  ): void;
  winogradOutput(
    o: number, xiStride: number, mp: number, filters: number,
    ty0: number, tx0: number, blockRows: number, blockCols: number,
    outH: number, outW: number, channelsLast: boolean, rowBytes: number, colBytes: number, filterBytes: number,
    y: number, bias: number, activation: number, alpha: number, tmp: number,
  ): void;
  poolNHWC(
    x: number, batch: number, height: number, width: number, channels: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    padTop: number, padLeft: number, padBottom: number, padRight: number, outH: number, outW: number, mode: number, y: number,
  ): void;
  poolNCHW(
    x: number, planes: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number,
    padTop: number, padLeft: number, padBottom: number, padRight: number, outH: number, outW: number, mode: number,
    paddedH: number, paddedW: number, scratch: number, y: number,
  ): void;
  globalAvgPoolNCHW(x: number, planes: number, size: number, y: number): void;
  globalAvgPoolNHWC(x: number, batch: number, pixels: number, channels: number, y: number): void;
  addActivate(a: number, b: number, count: number, activation: number, alpha: number, y: number): void;
  stackDepthSlices(
    x: number, batch: number, channels: number, inD: number, plane: number, kernelD: number, outD: number,
    strideD: number, dilationD: number, padFront: number, channelsLast: boolean, dst: number,
  ): void;
  spreadPixels(
    x: number, batch: number, channels: number, inH: number, inW: number, strideH: number, strideW: number,
    borderTop: number, borderLeft: number, height: number, width: number, channelsLast: boolean, dst: number,
  ): void;
  swapPlaneAxes(src: number, batch: number, outer: number, inner: number, plane: number, dst: number): void;
};

/** What the kernel paths need: the exports and the memory they run over. */
export interface KernelRuntime {
  readonly kernels: KernelExports;
  readonly memory: WebAssembly.Memory;
}

export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
