// In a page, filterImage gives back a real ImageData when it is given one.
import { beforeAll, expect, it } from 'vitest';
import { filterImage, init } from 'simdconv';

beforeAll(async () => {
  await init();
});

it('returns ImageData for ImageData', () => {
  const image = new ImageData(new Uint8ClampedArray(3 * 2 * 4).fill(100), 3, 2);
  const out = filterImage(image, 'box');
  expect(out).toBeInstanceOf(ImageData);
  expect([out.width, out.height]).toEqual([3, 2]);
  expect(Array.from(out.data.slice(0, 4))).toEqual([100, 100, 100, 100]);
});
