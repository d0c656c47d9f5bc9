// The browser demo, driven in headless Chromium: it loads cross-origin isolated, applies a
// preset, shows timings for simdconv and plain JS, and its output pixels are the reference's.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sampleImage } from 'simdconv';
import { filterImage as referenceFilterImage } from 'simdconv/reference';
// @ts-expect-error: plain JavaScript module without types
import { startDemoServer } from '../demo/server.mjs';

let server: { close(): void };
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ server, url } = await startDemoServer(0));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.waitForSelector('#timing[data-ready="true"]', { timeout: 30_000 });
  expect(errors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function resultPixels(): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.getElementById('result') as HTMLCanvasElement;
    return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
  });
}

describe('demo page', () => {
  it('is served cross-origin isolated (COOP/COEP) and starts on the bundled sample', async () => {
    expect(await page.getAttribute('body', 'data-isolated')).toBe('true');
    expect(await page.evaluate(() => [(document.getElementById('original') as HTMLCanvasElement).width, (document.getElementById('original') as HTMLCanvasElement).height])).toEqual([640, 400]);
  });

  it('applies a preset: the result pixels are the reference filter of the sample, and both timings are shown', async () => {
    await page.selectOption('#kernel', 'sharpen');
    await page.waitForSelector('#timing[data-kernel="sharpen"]');
    const expected = referenceFilterImage(sampleImage(), 'sharpen', { edge: 'clamp', channels: 'rgb', sigma: 2, abs: false });
    const actual = await resultPixels();
    expect(actual.length).toBe(expected.data.length);
    expect(actual.every((v, i) => v === expected.data[i])).toBe(true);
    expect(await page.textContent('#timing')).toMatch(/^simdconv [\d.]+ ms \(\d+ fps\) · plain JS [\d.]+ ms \([\d.]+ fps\) · [\d.]+× faster$/);
    mkdirSync(resolve(import.meta.dirname, '.output'), { recursive: true });
    await page.screenshot({ path: resolve(import.meta.dirname, '.output/demo.png') });
  });

  it('the sigma slider re-filters a Gaussian as it moves', async () => {
    await page.selectOption('#kernel', 'gaussian');
    await page.waitForSelector('#timing[data-kernel="gaussian"]');
    await page.fill('#sigma', '4');
    await page.dispatchEvent('#sigma', 'input');
    await page.waitForSelector('#timing[data-sigma="4"]');
    const expected = referenceFilterImage(sampleImage(), 'gaussian', { edge: 'clamp', channels: 'rgb', sigma: 4, abs: false });
    const actual = await resultPixels();
    expect(actual.every((v, i) => v === expected.data[i])).toBe(true);
  });
});
