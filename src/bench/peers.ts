/// <reference types="node" />
// Peer adapters for the benchmark: the same convolution layer run by TensorFlow.js's wasm backend
// (XNNPACK) and by ONNX Runtime Web (wasm), single-threaded, in the same Node process as simdconv.
//
// Each factory prepares the layer once (weights uploaded, XNNPACK filter / ORT session created)
// and returns a runner whose run() performs one convolution and reads the result back to
// JavaScript, which is what a simdconv prepared conv's run() does too. Layers a peer cannot run
// come back as { unsupported: reason } instead of a runner.
//
// Loading notes (Node):
// - tfjs-backend-wasm reads its .wasm with fs from the folder given to setWasmPaths; we point it
//   at the installed package's dist/ folder. In Node it never uses threads (its
//   WASM_HAS_MULTITHREAD_SUPPORT flag is false under IS_NODE) so it loads
//   tfjs-backend-wasm-simd.wasm; setThreadsCount(1) makes the single thread explicit.
// - onnxruntime-web resolves to dist/ort.node.min.mjs in Node and finds its
//   ort-wasm-simd-threaded.{mjs,wasm} next to itself. env.wasm.numThreads = 1 must be set before
//   the first session is created: ORT initialises its wasm runtime once per process.
// - XNNPACK creates (and packs the weights of) its convolution operator on the first run() of a
//   tfjs runner, and ORT pre-packs in session creation / first run: warm up before timing.

import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type { Conv2dGeometry } from '../shape.js';
import { encodeConvModel, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './onnx-model.js';

export interface PeerRunner {
  name: string;
  /** Layout of the input the runner was created with, and of its output. */
  layout: 'NCHW' | 'NHWC';
  /** One convolution, result read back into JavaScript. */
  run(): void | Promise<void>;
  dispose(): void;
  /** The output of the latest run() (in `layout`), for correctness checks; undefined before the first run. */
  lastOutput?(): Float32Array | undefined;
}

export type PeerResult = PeerRunner | { unsupported: string };

/** Checks the arrays against the layer; the layer's shape math comes from src/shape.ts. */
function checkLayer(fn: string, g: Conv2dGeometry, input: Float32Array, weight: Float32Array): void {
  const inputSize = g.batch * g.inChannels * g.inH * g.inW;
  if (input.length !== inputSize) throw new RangeError(`${fn}: input has ${input.length} values, the layer needs ${inputSize}`);
  const weightSize = g.outChannels * g.channelsPerGroup * g.kernelH * g.kernelW;
  if (weight.length !== weightSize) throw new RangeError(`${fn}: weight has ${weight.length} values, the layer needs ${weightSize}`);
}

const require = createRequire(import.meta.url);

// --- TensorFlow.js, wasm backend -----------------------------------------------------------------

type Tfjs = typeof import('@tensorflow/tfjs-core');
let tfjsLoading: Promise<Tfjs> | undefined;

async function loadTfjsWasm(): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The package's main file lives in dist/, next to the .wasm binaries. Emscripten in Node reads
  // `prefix + name` with fs, so a plain directory path with a trailing separator is what it needs.
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs: active backend is ${tf.getBackend()}, expected wasm`);
  const threads = wasm.getThreadsCount();
  if (threads !== 1) throw new Error(`tfjs-backend-wasm runs ${threads} threads, expected 1`);
  return tf;
}

/** Loads tfjs-core and the wasm backend once per process. */
export function tfjsWasm(): Promise<Tfjs> {
  tfjsLoading ??= loadTfjsWasm();
  return tfjsLoading;
}

/**
 * TensorFlow.js wasm backend (XNNPACK), NHWC. `input` is NHWC [N, H, W, C]; `weightHWIO` is
 * [kH, kW, C/groups, M]. groups = 1 → tf.conv2d; groups = C with M a multiple of C →
 * tf.depthwiseConv2d (its [kH, kW, C, M/C] filter has the same memory order as HWIO with one
 * input channel per group). tfjs has no other grouped convolution, and refuses strides > 1
 * together with dilations > 1.
 */
export async function createTfjsWasmRunner(layer: Conv2dGeometry, input: Float32Array, weightHWIO: Float32Array): Promise<PeerResult> {
  checkLayer('createTfjsWasmRunner', layer, input, weightHWIO);
  const { batch: n, inChannels: c, inH: h, inW: w, outChannels: m, kernelH: kh, kernelW: kw, groups } = layer;
  const depthwise = groups > 1 && groups === c && m % c === 0;
  if (groups > 1 && !depthwise) return { unsupported: 'tfjs has no grouped convolution' };
  if ((layer.strideH > 1 || layer.strideW > 1) && (layer.dilationH > 1 || layer.dilationW > 1)) {
    return { unsupported: 'tfjs refuses stride > 1 together with dilation > 1' };
  }
  const tf = await tfjsWasm();
  const x = tf.tensor4d(input, [n, h, w, c], 'float32');
  const filter = tf.tensor4d(weightHWIO, depthwise ? [kh, kw, c, m / c] : [kh, kw, c, m], 'float32');
  const strides: [number, number] = [layer.strideH, layer.strideW];
  const dilations: [number, number] = [layer.dilationH, layer.dilationW];
  const pad: [[number, number], [number, number], [number, number], [number, number]] =
    [[0, 0], [layer.padTop, layer.padBottom], [layer.padLeft, layer.padRight], [0, 0]];
  let last: Float32Array | undefined;
  let disposed = false;
  return {
    name: depthwise ? 'tfjs-wasm depthwiseConv2d' : 'tfjs-wasm conv2d',
    layout: 'NHWC',
    run() {
      const y = depthwise
        ? tf.depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilations)
        : tf.conv2d(x, filter, strides, pad, 'NHWC', dilations);
      try {
        last = y.dataSync() as Float32Array; // copies the result out of the wasm heap
      } finally {
        y.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      x.dispose();
      filter.dispose(); // also frees the XNNPACK operator cached for this filter
    },
    lastOutput: () => last,
  };
}

// --- ONNX Runtime Web, wasm ----------------------------------------------------------------------

type Ort = typeof import('onnxruntime-web');
let ortLoading: Promise<Ort> | undefined;

/** ORT's thread count is fixed per process at its first session: the threads bench runs its own process. */
let ortThreads = 1;
export function setOrtThreads(threads: number): void {
  if (ortLoading) throw new Error('setOrtThreads: onnxruntime-web is already loaded');
  ortThreads = threads;
}

async function loadOrt(): Promise<Ort> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = ortThreads; // 1: no worker threads; must be set before the first session
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

/** Loads onnxruntime-web once per process, configured for one thread (or setOrtThreads) with SIMD. */
export function onnxRuntimeWeb(): Promise<Ort> {
  ortLoading ??= loadOrt();
  return ortLoading;
}

/**
 * ONNX Runtime Web (wasm execution provider), NCHW. `input` is NCHW [N, C, H, W]; `weightOIHW`
 * is [M, C/groups, kH, kW]. The model is one Conv node built by ./onnx-model.ts, with a fixed
 * input shape; the session is created once and the input tensor is reused across runs.
 */
export async function createOrtRunner(layer: Conv2dGeometry, input: Float32Array, weightOIHW: Float32Array): Promise<PeerResult> {
  checkLayer('createOrtRunner', layer, input, weightOIHW);
  const ort = await onnxRuntimeWeb();
  const spec = {
    inputShape: [layer.batch, layer.inChannels, layer.inH, layer.inW] as const,
    weight: weightOIHW,
    weightShape: [layer.outChannels, layer.inChannels / layer.groups, layer.kernelH, layer.kernelW] as const,
    strides: [layer.strideH, layer.strideW] as const,
    dilations: [layer.dilationH, layer.dilationW] as const,
    pads: [layer.padTop, layer.padLeft, layer.padBottom, layer.padRight] as const,
    group: layer.groups,
    outputShape: [layer.batch, layer.outChannels, layer.outH, layer.outW] as const,
  };
  const outSize = spec.outputShape.reduce((a, b) => a * b, 1);
  const session = await ort.InferenceSession.create(encodeConvModel(spec), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only
  });
  const x = new ort.Tensor('float32', input, [...spec.inputShape]);
  const feeds = { [ONNX_INPUT_NAME]: x };
  let last: Float32Array | undefined;
  let disposed = false;
  return {
    name: 'onnxruntime-web Conv',
    layout: 'NCHW',
    async run() {
      const out = await session.run(feeds);
      const y = out[ONNX_OUTPUT_NAME]!;
      const data = y.data as Float32Array;
      if (data.length !== outSize) throw new Error(`onnxruntime-web returned ${data.length} values, expected ${outSize}`);
      last = data;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release().catch(() => undefined);
    },
    lastOutput: () => last,
  };
}
