// Plain TypeScript filterImage: per-pixel loops that round every operation to float32 in the
// order the WebAssembly kernels use (Math.fround), so both give the same bytes. Argument checks
// and kernel resolution are shared with the fast path (src/image/filter.ts planFilter).

import { planFilter, type FilterOptions, type ImageLike } from '../image/filter.js';
import type { ImageKernel, KernelPreset } from '../image/kernels.js';

const f = Math.fround;

function edgeIndex(i: number, size: number, edge: string): number {
  if (i >= 0 && i < size) return i;
  switch (edge) {
    case 'zero': return -1;
    case 'clamp': return i < 0 ? 0 : size - 1;
    case 'wrap': return ((i % size) + size) % size;
    default: { // reflect: d c b | a b c d | c b a
      if (size === 1) return 0;
      const period = 2 * size - 2;
      const j = ((i % period) + period) % period;
      return j < size ? j : period - j;
    }
  }
}

/** Correlation of a channels-last float image with `kernel`, 'valid' (no border). */
function correlate(src: Float32Array, height: number, width: number, channels: number, kernel: ImageKernel) {
  const outH = height - kernel.height + 1;
  const outW = width - kernel.width + 1;
  const out = new Float32Array(outH * outW * channels);
  for (let r = 0; r < outH; r++)
    for (let c = 0; c < outW; c++)
      for (let k = 0; k < channels; k++) {
        let acc = 0;
        for (let kh = 0; kh < kernel.height; kh++)
          for (let kw = 0; kw < kernel.width; kw++) {
            acc = f(acc + f(src[((r + kh) * width + c + kw) * channels + k]! * kernel.data[kh * kernel.width + kw]!));
          }
        out[(r * outW + c) * channels + k] = acc;
      }
  return { data: out, height: outH, width: outW };
}

export function filterImage(image: ImageLike, kernel: number[][] | ImageKernel | KernelPreset, options: FilterOptions = {}): ImageLike {
  const plan = planFilter(image, kernel, options);
  const { width, height, channels, pads } = plan;
  const H = height + pads.top + pads.bottom;
  const W = width + pads.left + pads.right;
  const widened = new Float32Array(H * W * channels);
  for (let r = 0; r < H; r++) {
    const sr = edgeIndex(r - pads.top, height, plan.edge);
    for (let c = 0; c < W; c++) {
      const sc = sr < 0 ? -1 : edgeIndex(c - pads.left, width, plan.edge);
      if (sc < 0) continue; // zero
      const p = (sr * width + sc) * 4;
      const to = (r * W + c) * channels;
      if (plan.mode === 'luma') {
        widened[to] = f(f(f(f(0.299) * image.data[p]!) + f(f(0.587) * image.data[p + 1]!)) + f(f(0.114) * image.data[p + 2]!));
      } else {
        for (let k = 0; k < channels; k++) widened[to + k] = image.data[p + k]!;
      }
    }
  }
  const [k0, k1] = plan.passes.kernels as [ImageKernel, ImageKernel | undefined];
  let first = correlate(widened, H, W, channels, k0);
  let second: Float32Array | null = null;
  if (plan.passes.kind === 'separable') first = correlate(first.data, first.height, first.width, channels, k1!);
  if (plan.passes.kind === 'magnitude') second = correlate(widened, H, W, channels, k1!).data;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < channels; k++) {
      let v = first.data[i * channels + k]!;
      if (second) v = f(Math.sqrt(f(f(v * v) + f(second[i * channels + k]! * second[i * channels + k]!))));
      v = f(v + plan.bias);
      if (plan.abs) v = Math.abs(v);
      const rounded = Math.floor(f(v + 0.5));
      const byte = rounded >= 255 ? 255 : rounded > 0 ? rounded : 0;
      if (plan.mode === 'luma') out.fill(byte, i * 4, i * 4 + 3);
      else out[i * 4 + k] = byte;
    }
    if (plan.mode !== 'rgba') out[i * 4 + 3] = image.data[i * 4 + 3]!;
  }
  return { data: out, width, height };
}
