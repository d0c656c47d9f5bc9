// Named layers the benchmarks run: shapes of real networks (ResNet, MobileNet stems and blocks)
// plus an image filter and a small call-overhead case.

export interface LayerSpec {
  name: string;
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernel: number;
  stride: number;
  groups: number;
  padding: 'same' | 'valid';
}

const layer = (name: string, spec: Omit<LayerSpec, 'name' | 'batch' | 'groups' | 'padding'> & Partial<LayerSpec>): LayerSpec => ({
  name, batch: 1, groups: 1, padding: 'same', ...spec,
});

/** The default set: what `npm start` times. */
export const DEFAULT_LAYERS: LayerSpec[] = [
  layer('image filter 1→1 3×3 @512²', { inChannels: 1, height: 512, width: 512, outChannels: 1, kernel: 3, stride: 1 }),
  layer('RGB stem 3→32 3×3/2 @224²', { inChannels: 3, height: 224, width: 224, outChannels: 32, kernel: 3, stride: 2 }),
  layer('ResNet 64→64 3×3 @56²', { inChannels: 64, height: 56, width: 56, outChannels: 64, kernel: 3, stride: 1 }),
  layer('pointwise 128→256 1×1 @28²', { inChannels: 128, height: 28, width: 28, outChannels: 256, kernel: 1, stride: 1 }),
  layer('depthwise 144 3×3 @56²', { inChannels: 144, height: 56, width: 56, outChannels: 144, kernel: 3, stride: 1, groups: 144 }),
  layer('small 3→16 3×3 @32²', { inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: 3, stride: 1 }),
];
