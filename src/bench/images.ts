/// <reference types="node" />
// The image part of `npm start`: filter the embedded sample with a few presets into ./out/ and
// time simdconv against the plain-JS reference (medians of interleaved rounds).

import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { filterImage, filterImageAsync, sampleImage, type FilterOptions, type ImageLike, type KernelPreset } from '../index.js';
import { filterImage as referenceFilterImage } from '../reference/index.js';
import { interleavedMedians, medians } from './timing.js';

const JOBS: Array<{ name: string; kernel: KernelPreset; options: FilterOptions }> = [
  { name: 'gaussian σ 2', kernel: 'gaussian', options: { sigma: 2 } },
  { name: 'sharpen', kernel: 'sharpen', options: {} },
  { name: 'sobel (luma)', kernel: 'sobel', options: { channels: 'luma' } },
  { name: 'emboss', kernel: 'emboss', options: { bias: 128 } },
  { name: 'edge diagonal', kernel: 'edgeDiagonal', options: { abs: true } },
];

function writePng(path: string, image: ImageLike): void {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length);
  writeFileSync(path, PNG.sync.write(png));
}

/** The issue's image targets on a 1920×1080 RGBA frame: a 3×3 kernel, and a 15×15 Gaussian (σ 2.3, radius 7). */
export async function benchImages1080p(threads = 1): Promise<{ table: string; rows: Array<{ filter: string; simdconvMs: number; plainMs: number }> }> {
  const frame = sampleImage(1920, 1080);
  const jobs: Array<{ name: string; kernel: KernelPreset; options: FilterOptions }> = [
    { name: 'sharpen 3×3', kernel: 'sharpen', options: {} },
    { name: 'gaussian 15×15', kernel: 'gaussian', options: { sigma: 2.3 } },
  ];
  const rows = [];
  for (const job of jobs) {
    // With threads, filterImageAsync on the pool in the same rounds (an async function, so
    // that tinybench awaits it).
    const fast = await interleavedMedians(job.name, [
      { name: 'simdconv', run: () => filterImage(frame, job.kernel, job.options) },
      ...(threads > 1 ? [{ name: 'pool', run: async () => { await filterImageAsync(frame, job.kernel, job.options); } }] : []),
    ]);
    const slow = await medians(job.name, [{ name: 'plain JS', run: () => referenceFilterImage(frame, job.kernel, job.options) }],
      { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 });
    rows.push({ filter: job.name, simdconvMs: fast.get('simdconv')!, plainMs: slow.get('plain JS')! });
    if (threads > 1) rows.push({ filter: `${job.name}, ${threads} threads`, simdconvMs: fast.get('pool')!, plainMs: slow.get('plain JS')! });
  }
  const table = [
    '| filter on 1920×1080 RGBA          | simdconv ms | plain JS ms | speed-up |',
    '|:----------------------------------|------------:|------------:|---------:|',
    ...rows.map((r) => `| ${r.filter.padEnd(33)} | ${r.simdconvMs.toFixed(1).padStart(11)} | ${r.plainMs.toFixed(0).padStart(11)} | ${`${(r.plainMs / r.simdconvMs).toFixed(1)}×`.padStart(8)} |`),
  ].join('\n');
  return { table, rows };
}

export async function imageJob(outDir: string): Promise<string> {
  const sample = sampleImage();
  mkdirSync(outDir, { recursive: true });
  writePng(`${outDir}/sample.png`, sample);
  const rows: string[] = [];
  for (const job of JOBS) {
    const result = filterImage(sample, job.kernel, job.options);
    writePng(`${outDir}/${job.kernel}.png`, result);
    const fast = await interleavedMedians(job.name, [{ name: 'simdconv', run: () => filterImage(sample, job.kernel, job.options) }]);
    const slow = await medians(job.name, [{ name: 'plain JS', run: () => referenceFilterImage(sample, job.kernel, job.options) }],
      { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 });
    const [ours, theirs] = [fast.get('simdconv')!, slow.get('plain JS')!];
    rows.push(`| ${job.name.padEnd(13)} | ${ours.toFixed(2).padStart(11)} | ${theirs.toFixed(1).padStart(11)} | ${`${(theirs / ours).toFixed(1)}×`.padStart(8)} |`);
  }
  return [
    `Filters on the embedded ${sample.width}×${sample.height} sample (written to ${outDir}/):`,
    '',
    '| filter        | simdconv ms | plain JS ms | speed-up |',
    '|:--------------|------------:|------------:|---------:|',
    ...rows,
  ].join('\n');
}
