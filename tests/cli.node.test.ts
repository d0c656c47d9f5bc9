// The `simdconv` command as a user runs it: filter a PNG/JPEG file or a folder (pixels against
// the reference), layer info (hand-worked numbers), the benchmark's arguments, help, and clear
// errors with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { FilterOptions, ImageLike } from 'simdconv';
import { filterImage as referenceFilterImage } from 'simdconv/reference';
import { seededRandom } from './helpers.js';

const cli = resolve(import.meta.dirname, '../dist/cli.js');
const work = mkdtempSync(join(tmpdir(), 'simdconv-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A gray PNG (R = G = B, alpha 255) from rows of values. */
function writeGrayPng(path: string, rows: number[][]) {
  const png = new PNG({ width: rows[0]!.length, height: rows.length });
  rows.flat().forEach((v, i) => png.data.set([v, v, v, 255], i * 4));
  writeFileSync(path, PNG.sync.write(png));
}

/** The red channel of a PNG file. */
const redOf = (path: string) => Array.from(PNG.sync.read(readFileSync(path)).data.filter((_, i) => i % 4 === 0));

/** A PNG file's pixels equal the reference filter of `image`, byte for byte. */
function expectPngIsReference(path: string, image: ImageLike, kernel: Parameters<typeof referenceFilterImage>[1], options: FilterOptions) {
  expect(Array.from(PNG.sync.read(readFileSync(path)).data), path).toEqual(Array.from(referenceFilterImage(image, kernel, options).data));
}

/**
 * A JPEG file decodes close to the reference filter of `image`: JPEG is lossy, so byte
 * equality is not expected; a wrong filter (or none) is off by far more than the bound.
 */
function expectJpegNearReference(path: string, image: ImageLike, kernel: Parameters<typeof referenceFilterImage>[1], options: FilterOptions) {
  const decoded = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: true });
  const expected = referenceFilterImage(image, kernel, options).data;
  expect([decoded.width, decoded.height], path).toEqual([image.width, image.height]);
  let total = 0;
  for (let i = 0; i < expected.length; i++) if (i % 4 !== 3) total += Math.abs(decoded.data[i]! - expected[i]!);
  expect(total / (expected.length * 0.75), `${path}: mean error per channel`).toBeLessThan(JPEG_MEAN_ERROR);
}

/** Measured 1.9–2.0 levels for the quality-92 JPEGs of the images below; the bound allows 3× that. */
const JPEG_MEAN_ERROR = 6;

/** A JPEG file decoded as the CLI decodes it (RGBA). */
function readJpeg(path: string): ImageLike {
  const decoded = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: true });
  return { data: new Uint8ClampedArray(decoded.data), width: decoded.width, height: decoded.height };
}

function writePng(path: string, width: number, height: number, seed: number) {
  const random = seededRandom(seed);
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = Math.floor(random() * 256);
  writeFileSync(path, PNG.sync.write(png));
  return { data: new Uint8ClampedArray(png.data), width, height };
}

describe('simdconv command', () => {
  it('filter: a PNG file, byte for byte what the reference gives', () => {
    const image = writePng(join(work, 'in.png'), 13, 7, 1);
    const result = run('filter', join(work, 'in.png'), join(work, 'out.png'), '--kernel', 'sharpen', '--edge', 'reflect');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/in\.png → .*out\.png: 13×7/);
    const out = PNG.sync.read(readFileSync(join(work, 'out.png')));
    expect(Array.from(out.data)).toEqual(Array.from(referenceFilterImage(image, 'sharpen', { edge: 'reflect' }).data));
  });

  it('filter: a JSON kernel file and options, PNG byte for byte and JPEG near the reference', () => {
    const image = writePng(join(work, 'k.png'), 9, 9, 2);
    const kernel = [[0, 1, 2], [2, 2, 0], [0, 1, 2]];
    writeFileSync(join(work, 'kernel.json'), JSON.stringify(kernel));
    const options: FilterOptions = { normalize: true, channels: 'luma' };
    for (const out of ['k-out.png', 'k-out.jpg']) {
      const result = run('filter', join(work, 'k.png'), join(work, out), '--kernel', join(work, 'kernel.json'), '--normalize', '--channels', 'luma');
      expect(result.code, result.stderr).toBe(0);
    }
    expectPngIsReference(join(work, 'k-out.png'), image, kernel, options);
    expectJpegNearReference(join(work, 'k-out.jpg'), image, kernel, options);
  });

  it('filter: --size, --bias and --abs, on hand-worked pixels', () => {
    // One row 0 0 12 12 (edge clamp). Box size 2 (pads 0 before, 1 after): (x[i] + x[i+1]) / 2.
    writeGrayPng(join(work, 'row.png'), [[0, 0, 12, 12]]);
    const box = run('filter', join(work, 'row.png'), join(work, 'box.png'), '--kernel', 'box', '--size', '2');
    expect(box.code, box.stderr).toBe(0);
    expect(redOf(join(work, 'box.png'))).toEqual([0, 6, 12, 12]);
    // [[1, 0, -1]]: x[i−1] − x[i+1] = 0, −12, −12, 0; bias 3 → 3, −9, −9, 3; abs → 3, 9, 9, 3.
    writeFileSync(join(work, 'diff.json'), JSON.stringify([[1, 0, -1]]));
    const diff = run('filter', join(work, 'row.png'), join(work, 'diff.png'), '--kernel', join(work, 'diff.json'), '--bias', '3', '--abs');
    expect(diff.code, diff.stderr).toBe(0);
    expect(redOf(join(work, 'diff.png'))).toEqual([3, 9, 9, 3]);
    const noAbs = run('filter', join(work, 'row.png'), join(work, 'diff-signed.png'), '--kernel', join(work, 'diff.json'), '--bias', '3');
    expect(noAbs.code, noAbs.stderr).toBe(0);
    expect(redOf(join(work, 'diff-signed.png'))).toEqual([3, 0, 0, 3]);
  });

  it('filter: a folder, every image in it, a progress bar and a summary', () => {
    const folder = join(work, 'photos');
    mkdirSync(folder);
    const a = writePng(join(folder, 'a.png'), 8, 6, 3);
    const b = writePng(join(folder, 'b.png'), 5, 5, 4);
    const png = PNG.sync.read(readFileSync(join(folder, 'a.png')));
    writeFileSync(join(folder, 'c.jpg'), jpeg.encode({ data: png.data, width: 8, height: 6 }, 90).data);
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const result = run('filter', folder, join(work, 'filtered'), '--kernel', 'gaussian', '--sigma', '1.5');
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(work, 'filtered')).sort()).toEqual(['a.png', 'b.png', 'c.jpg']);
    expect(result.stderr).toMatch(/\[#{30}\] 3\/3/);
    expect(result.stdout).toMatch(/^3 images, 0\.0\d megapixels: filtering .* ms/);
    const options: FilterOptions = { sigma: 1.5 };
    expectPngIsReference(join(work, 'filtered', 'a.png'), a, 'gaussian', options);
    expectPngIsReference(join(work, 'filtered', 'b.png'), b, 'gaussian', options);
    // The JPEG input as the CLI decodes it; its output is a JPEG again.
    expectJpegNearReference(join(work, 'filtered', 'c.jpg'), readJpeg(join(folder, 'c.jpg')), 'gaussian', options);
  });

  it('info: output shape, padding, multiply-adds and parameters', () => {
    const result = run('info', '--input', '1,3,224,224', '--weight', '32,3,3,3', '--stride', '2', '--padding', 'same');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('output shape   [1, 32, 112, 112]');
    expect(result.stdout).toContain('padding        top 0, bottom 1, left 0, right 1');
    expect(result.stdout).toContain(`multiply-adds  ${(32 * 112 * 112 * 27).toLocaleString('en-US')}`);
    expect(result.stdout).toContain('parameters     864');
  });

  it('info: --dilation, --groups, --layout, --weight-layout, --bias and a --padding pair, hand-worked', () => {
    // NCHW 16 → 32 in 4 groups (4 channels each), 3×3 dilated 2, 'same' on 20²: pads (2·2 + 1 − 1) / 2 = 2
    // per side; multiply-adds 32·20·20·4·9 = 460,800; parameters 32·4·9 + 32 bias = 1,184.
    const grouped = run('info', '--input', '1,16,20,20', '--weight', '32,4,3,3', '--groups', '4', '--dilation', '2', '--padding', 'same', '--bias');
    expect(grouped.code, grouped.stderr).toBe(0);
    expect(grouped.stdout).toContain('output shape   [1, 32, 20, 20]');
    expect(grouped.stdout).toContain('padding        top 2, bottom 2, left 2, right 2');
    expect(grouped.stdout).toContain('multiply-adds  460,800');
    expect(grouped.stdout).toContain('FLOPs          921,600');
    expect(grouped.stdout).toContain('parameters     1,184');
    // NHWC 6 → 8 in 2 groups, OHWI [8, 3, 3, 3], dilation [2, 3], 'same' on 9×10: pads 2, 2, 3, 3;
    // multiply-adds 8·9·10·3·9 = 19,440; parameters 8·3·9 = 216 (no bias).
    const nhwc = run('info', '--input', '1,9,10,6', '--weight', '8,3,3,3', '--layout', 'NHWC', '--weight-layout', 'OHWI', '--groups', '2', '--dilation', '2,3', '--padding', 'same');
    expect(nhwc.code, nhwc.stderr).toBe(0);
    expect(nhwc.stdout).toContain('output shape   [1, 9, 10, 8]');
    expect(nhwc.stdout).toContain('padding        top 2, bottom 2, left 3, right 3');
    expect(nhwc.stdout).toContain('multiply-adds  19,440');
    expect(nhwc.stdout).toContain('parameters     216');
    // NHWC's default weights are HWIO [3, 3, 3, 16]: M = 16 from the last axis, so --bias adds 16.
    // Padding [1, 0] on 5×5: output 5×3; multiply-adds 16·5·3·27 = 6,480; parameters 432 + 16 = 448.
    const hwio = run('info', '--input', '1,5,5,3', '--weight', '3,3,3,16', '--layout', 'NHWC', '--padding', '1,0', '--bias');
    expect(hwio.code, hwio.stderr).toBe(0);
    expect(hwio.stdout).toContain('output shape   [1, 5, 3, 16]');
    expect(hwio.stdout).toContain('padding        top 1, bottom 1, left 0, right 0');
    expect(hwio.stdout).toContain('multiply-adds  6,480');
    expect(hwio.stdout).toContain('parameters     448');
  });

  // The benchmark itself times things, which a test must not do: only its argument handling is
  // tested, on arguments refused before anything is loaded or timed.
  it('bench: bad arguments exit 2 before any timing; --help lists its options', () => {
    const help = run('bench', '--help');
    expect(help.code).toBe(0);
    for (const flag of ['--suite', '--peers', '--threads <n>', '--json', '--filter <text>']) expect(help.stdout).toContain(flag);
    const cases: Array<[string[], RegExp]> = [
      [['bench', '--bogus'], /unknown option --bogus/],
      [['bench', '--threads'], /--threads needs a value/],
      [['bench', '--filter', '--json'], /--filter needs a value/],
      [['bench', '--threads', '0'], /--threads must be a positive integer, got 0/],
      [['bench', '--threads', 'two'], /--threads must be a positive integer, got two/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout, args.join(' ')).toBe('');
    }
  });

  it('--help on each command; clear errors and exit code 2 on bad use', () => {
    expect(run('--help').code).toBe(0);
    expect(run('filter', '--help').stdout).toMatch(/^Usage: simdconv filter/);
    expect(run('info', '--help').stdout).toMatch(/^Usage: simdconv info/);
    expect(run('bench', '--help').stdout).toMatch(/^Usage: simdconv bench/);
    const cases: Array<[string[], RegExp]> = [
      [['filter', join(work, 'missing.png'), join(work, 'x.png'), '--kernel', 'box'], /cannot read .*missing\.png/],
      [['filter', join(work, 'in.png'), join(work, 'x.png'), '--kernel', 'blur'], /--kernel must be a preset/],
      [['filter', join(work, 'in.png'), join(work, 'x.png'), '--kernel', 'box', '--edges', 'clamp'], /unknown option --edges/],
      [['filter', join(work, 'in.png'), join(work, 'x.bmp'), '--kernel', 'box'], /must end in \.png, \.jpg or \.jpeg/],
      [['filter', join(work, 'in.png'), join(work, 'x.png'), '--kernel', 'box', '--edge', 'mirror'], /options\.edge must be one of/],
      [['info', '--input', '1,3,224', '--weight', '32,3,3,3'], /inputShape must have 4 dimensions/],
      [['resize'], /unknown command resize/],
      [['bench', 'layers.json'], /bench takes no file arguments/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    writeFileSync(join(work, 'broken.png'), 'not a png');
    expect(run('filter', join(work, 'broken.png'), join(work, 'x.png'), '--kernel', 'box').stderr).toMatch(/cannot decode .*broken\.png/);
  });
});
