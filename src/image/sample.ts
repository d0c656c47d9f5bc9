// The embedded sample image: a small landscape drawn from code (no file to fetch or ship), with
// smooth gradients, hard edges in every direction and fine texture, so that every filter preset
// has something to show.

import type { ImageLike } from './filter.js';

export function sampleImage(width = 640, height = 400): ImageLike {
  const data = new Uint8ClampedArray(width * height * 4);
  const horizon = Math.round(height * 0.62);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      // Hills: two sines over the horizon.
      const hill = horizon - 40 * Math.sin(x / 70) - 18 * Math.sin(x / 23 + 1);
      if (y < hill) {
        // Sky: a vertical gradient and a sun with a hard rim.
        const t = y / horizon;
        [r, g, b] = [90 + 120 * t, 150 + 80 * t, 235 - 20 * t];
        const dx = x - width * 0.75;
        const dy = y - height * 0.22;
        if (dx * dx + dy * dy < (height * 0.09) ** 2) [r, g, b] = [255, 214, 90];
      } else {
        // Fields: diagonal stripes, and a checkered patch with fine texture.
        const stripe = ((x + 2 * y) >> 4) & 1;
        [r, g, b] = stripe ? [70, 140, 60] : [95, 165, 75];
        if (x > width * 0.1 && x < width * 0.35 && y > height * 0.75 && y < height * 0.95) {
          const check = ((x >> 3) + (y >> 3)) & 1;
          [r, g, b] = check ? [200, 60, 50] : [240, 230, 220];
        }
        const grain = ((x * 73856093) ^ (y * 19349663)) & 15;
        [r, g, b] = [r + grain - 8, g + grain - 8, b + grain - 8];
      }
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height };
}
