/// <reference types="node" />
// The rest of the family in the benchmark: convTranspose2d and conv3d against tfjs-backend-wasm's
// conv2dTranspose / conv3d, and separableConv2d fused against its two ops run separately. Same
// timing as the conv2d layers (interleaved rounds, medians); each ratio is peer time / our time.

import {
  createConv2d, createConv3d, createConvTranspose2d, createDepthwiseConv2d, createSeparableConv2d, type TensorData,
} from '../index.js';
import { interleavedMedians, type TimedTask } from './timing.js';
import { randomData } from './layers.js';
import { tfjsWasm } from './peers.js';

export interface OpResult {
  op: string;
  layer: string;
  /** Median ms per call by task name. */
  ms: Record<string, number>;
  /** [numerator task, denominator task]: the speed-up reported is ms[numerator] / ms[denominator]. */
  ratio: [string, string];
}

const tensor = (shape: number[], seed: number): TensorData => ({ data: randomData(shape.reduce((a, b) => a * b, 1), seed), shape });

async function convTranspose(peers: boolean): Promise<OpResult> {
  // A decoder upsampling step: 64 → 32 channels, 4×4 kernel, stride 2, 28² → 56².
  const [C, M, H, k] = [64, 32, 28, 4];
  const x = tensor([1, H, H, C], 1);
  const w = tensor([k, k, M, C], 2); // HWOI, tfjs's conv2dTranspose filter
  const conv = createConvTranspose2d(w, { layout: 'NHWC', stride: 2, padding: 'same' });
  const tasks: TimedTask[] = [{ name: 'simdconv NHWC', run: () => conv.run(x) }];
  const cleanups = [() => conv.dispose()];
  if (peers) {
    const tf = await tfjsWasm();
    const tx = tf.tensor4d(x.data, [1, H, H, C]);
    const tw = tf.tensor4d(w.data, [k, k, M, C]);
    tasks.push({ name: 'tfjs-wasm', run: () => { const y = tf.conv2dTranspose(tx, tw, [1, 2 * H, 2 * H, M], 2, 'same'); y.dataSync(); y.dispose(); } });
    cleanups.push(() => { tx.dispose(); tw.dispose(); });
  }
  try {
    return { op: 'convTranspose2d', layer: '64→32 4×4/2, 28²→56²', ms: Object.fromEntries(await interleavedMedians('convTranspose2d', tasks)), ratio: ['tfjs-wasm', 'simdconv NHWC'] };
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

async function conv3dOp(peers: boolean): Promise<OpResult> {
  // A video / volume block: 16 → 16 channels, 3×3×3, 8×28×28, 'same'.
  const [C, M, D, H] = [16, 16, 8, 28];
  const x = tensor([1, D, H, H, C], 3);
  const w = tensor([3, 3, 3, C, M], 4); // DHWIO
  const conv = createConv3d(w, { layout: 'NDHWC', padding: 'same' });
  const tasks: TimedTask[] = [{ name: 'simdconv NDHWC', run: () => conv.run(x) }];
  const cleanups = [() => conv.dispose()];
  if (peers) {
    const tf = await tfjsWasm();
    const tx = tf.tensor5d(x.data, [1, D, H, H, C]);
    const tw = tf.tensor5d(w.data, [3, 3, 3, C, M]);
    tasks.push({ name: 'tfjs-wasm', run: () => { const y = tf.conv3d(tx, tw, 1, 'same'); y.dataSync(); y.dispose(); } });
    cleanups.push(() => { tx.dispose(); tw.dispose(); });
  }
  try {
    return { op: 'conv3d', layer: '16→16 3×3×3 @8×28²', ms: Object.fromEntries(await interleavedMedians('conv3d', tasks)), ratio: ['tfjs-wasm', 'simdconv NDHWC'] };
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

async function separable(layout: 'NCHW' | 'NHWC'): Promise<OpResult> {
  // A MobileNet-style block: depthwise 3×3 over 144 channels at 56², then 1×1 144 → 48.
  const [C, M, H] = [144, 48, 56];
  const nchw = layout === 'NCHW';
  const x = tensor(nchw ? [1, C, H, H] : [1, H, H, C], 5);
  const dw = tensor(nchw ? [C, 1, 3, 3] : [3, 3, C, 1], 6);
  const pw = tensor(nchw ? [M, C, 1, 1] : [1, 1, C, M], 7);
  const fused = createSeparableConv2d(dw, pw, { layout, padding: 'same', activation: 'relu' });
  const depthwise = createDepthwiseConv2d(dw, { layout, padding: 'same' });
  const pointwise = createConv2d(pw, { layout, activation: 'relu' });
  const tasks: TimedTask[] = [
    { name: 'simdconv fused', run: () => fused.run(x) },
    { name: 'simdconv two ops', run: () => pointwise.run(depthwise.run(x)) },
  ];
  try {
    return {
      op: 'separableConv2d', layer: `dw 144 3×3 + pw 144→48 @56² ${layout}`,
      ms: Object.fromEntries(await interleavedMedians(`separableConv2d ${layout}`, tasks)), ratio: ['simdconv two ops', 'simdconv fused'],
    };
  } finally {
    fused.dispose();
    depthwise.dispose();
    pointwise.dispose();
  }
}

export async function benchOps(peers: boolean): Promise<OpResult[]> {
  return [await convTranspose(peers), await conv3dOp(peers), await separable('NCHW'), await separable('NHWC')];
}

export function formatOps(results: OpResult[]): string {
  const header = ['op', 'layer', 'ms per call', 'speed-up'];
  const body = results.map((r) => [
    r.op, r.layer,
    Object.entries(r.ms).map(([name, ms]) => `${name} ${ms.toFixed(3)}`).join(', '),
    r.ms[r.ratio[0]] === undefined ? '–' : `${(r.ms[r.ratio[0]]! / r.ms[r.ratio[1]]!).toFixed(2)}× (${r.ratio[0]} / ${r.ratio[1]})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

