// The `simdconv` command as a user runs it: filter a PNG/JPEG file or a folder, layer info, the
// benchmark, help, and clear errors with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { filterImage as referenceFilterImage } from 'simdconv/reference';
import { seededRandom } from './helpers.js';

const cli = resolve(import.meta.dirname, '../dist/cli.js');
const work = mkdtempSync(join(tmpdir(), 'simdconv-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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

  it('filter: a JSON kernel file, options, and JPEG output', () => {
    writePng(join(work, 'k.png'), 9, 9, 2);
    writeFileSync(join(work, 'kernel.json'), JSON.stringify([[0, 1, 2], [2, 2, 0], [0, 1, 2]]));
    const result = run('filter', join(work, 'k.png'), join(work, 'k.jpg'), '--kernel', join(work, 'kernel.json'), '--normalize', '--channels', 'luma');
    expect(result.code, result.stderr).toBe(0);
    const out = jpeg.decode(readFileSync(join(work, 'k.jpg')), { useTArray: true });
    expect([out.width, out.height]).toEqual([9, 9]);
  });

  it('filter: a folder, every image in it, a progress bar and a summary', () => {
    const folder = join(work, 'photos');
    mkdirSync(folder);
    writePng(join(folder, 'a.png'), 8, 6, 3);
    writePng(join(folder, 'b.png'), 5, 5, 4);
    const png = PNG.sync.read(readFileSync(join(folder, 'a.png')));
    writeFileSync(join(folder, 'c.jpg'), jpeg.encode({ data: png.data, width: 8, height: 6 }, 90).data);
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const result = run('filter', folder, join(work, 'filtered'), '--kernel', 'gaussian', '--sigma', '1.5');
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(work, 'filtered')).sort()).toEqual(['a.png', 'b.png', 'c.jpg']);
    expect(result.stderr).toMatch(/\[#{30}\] 3\/3/);
    expect(result.stdout).toMatch(/^3 images, 0\.0\d megapixels: filtering .* ms/);
  });

  it('info: output shape, padding, multiply-adds and parameters', () => {
    const result = run('info', '--input', '1,3,224,224', '--weight', '32,3,3,3', '--stride', '2', '--padding', 'same');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('output shape   [1, 32, 112, 112]');
    expect(result.stdout).toContain('padding        top 0, bottom 1, left 0, right 1');
    expect(result.stdout).toContain(`multiply-adds  ${(32 * 112 * 112 * 27).toLocaleString('en-US')}`);
    expect(result.stdout).toContain('parameters     864');
  });

  it('bench: the benchmark from the command line, as JSON on stdout', () => {
    const result = run('bench', '--filter', 'small', '--json');
    expect(result.code, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout) as { results: Array<{ layer: string; ms: Record<string, number> }> };
    expect(figures.results.map((r) => r.layer)).toEqual(['small 3→16 3×3 @32²']);
    for (const engine of ['simdconv NCHW', 'simdconv NHWC', 'plain JS']) expect(figures.results[0]!.ms[engine]).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/\| small 3→16 3×3 @32² \|/);
  }, 60_000);

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
