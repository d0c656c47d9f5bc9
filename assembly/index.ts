// Entry of the WebAssembly module: kernels only, a flat ABI of pointers and integers.
// Memory is imported and owned by the TypeScript runtime (src/runtime.ts); nothing here keeps
// per-call state in globals, so the same module can later run on several threads.

export { gemm } from "./gemm";
export { packWeights, padPlane, packInputColumnsNCHW, packInputRowsNHWC, scatterPhase } from "./pack";
export { directNCHW4x8, directNHWC4x8 } from "./direct";
export { imageToFloat, floatToImage } from "./image";
export { packDepthwiseWeights, depthwiseNHWC, depthwiseNCHW, planesInPlace3x3NCHW } from "./depthwise";
export { blocked3x3NCHW } from "./depthwise-blocked";
export { stride2x3NCHW } from "./depthwise-strided";
export {
  winogradPackWeights, winogradStageNCHW, winogradStageNHWC, winogradInput, winogradGemm, winogradOutput,
} from "./winograd";

/** First byte of linear memory after the module's static data: where the TS arena starts. */
export function heapBase(): usize {
  return __heap_base;
}
export { allFinite } from "./finite";
export { poolNHWC, poolNCHW, globalAvgPoolNCHW, globalAvgPoolNHWC } from "./pool";
export { addActivate } from "./eltwise";
export { stackDepthSlices, spreadPixels, swapPlaneAxes } from "./layout";
