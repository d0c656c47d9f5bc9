// The package as a user gets it: `npm pack`, installed into an empty folder, then imported from
// Node ESM, type-checked from TypeScript, bundled into a page by Vite and loaded from a plain
// <script type="module"> with an import map, both pages run in headless Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const seedOutput = [12, 12, 17, 10, 17, 19, 9, 6, 14];
const consumer = `
import { init, conv2d, conv2dAsync, info } from 'simdconv';
import { conv2d as reference } from 'simdconv/reference';
await init();
const x = { data: Float32Array.from([3,3,2,1,0, 0,0,1,3,1, 3,1,2,2,3, 2,0,0,2,2, 2,0,0,0,1]), shape: [1, 1, 5, 5] };
const w = { data: Float32Array.from([0,1,2, 2,2,0, 0,1,2]), shape: [1, 1, 3, 3] };
// Large enough for the thread pool where there is one (Node; an isolated page), else one thread.
const bigX = { data: Float32Array.from({ length: 16 * 64 * 64 }, (_, i) => (i % 7) - 3), shape: [1, 16, 64, 64] };
const bigW = { data: Float32Array.from({ length: 16 * 16 * 9 }, (_, i) => (i % 5) - 2), shape: [16, 16, 3, 3] };
const threaded = await conv2dAsync(bigX, bigW, { padding: 1 });
const state = info();
export const result = {
  simd: Array.from(conv2d(x, w).data), reference: Array.from(reference(x, w).data),
  asyncSame: conv2d(bigX, bigW, { padding: 1 }).data.every((v, i) => v === threaded.data[i]),
  threads: state.threads, pool: state.poolTasks > 0, notice: state.notice === null ? null : /cross-origin isolated/.test(state.notice),
};
`;
/** With shared memory (Node, an isolated page) the pool runs the big conv; without, one thread says why. */
const threadedResult = { simd: seedOutput, reference: seedOutput, asyncSame: true, threads: 2, pool: true, notice: null };
const fallbackResult = { simd: seedOutput, reference: seedOutput, asyncSame: true, threads: 1, pool: false, notice: true };

let app: string;
let server: Server;
let baseUrl: string;

function serve(dir: string): Promise<string> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };
  server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url!, 'http://x');
      const path = join(dir, decodeURIComponent(url.pathname));
      const body = await readFile(path.endsWith('/') ? join(path, 'index.html') : path);
      // Pages are cross-origin isolated (the thread pool runs) unless asked with ?shared=no.
      const isolation = url.searchParams.get('shared') === 'no' ? {} : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', ...isolation }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((ready) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    ready(`http://127.0.0.1:${address.port}`);
  }));
}

async function resultOfPage(url: string): Promise<unknown> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url);
    await page.waitForFunction(() => 'simdconvResult' in window || document.title === 'error', undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
    return await page.evaluate(() => (window as unknown as { simdconvResult: unknown }).simdconvResult);
  } finally {
    await browser.close();
  }
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'simdconv-user-'));
  // dist/ is built by the pretest script; pack without running prepack again.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', app], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(app).find((name) => name.endsWith('.tgz'))!;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`], { cwd: app, stdio: 'pipe' });
  baseUrl = await serve(app);
}, 240_000);

afterAll(() => {
  server?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('the packed package in an empty folder', () => {
  it('ships the built library, types and no sources or tests', () => {
    const files = readdirSync(join(app, 'node_modules/simdconv/dist'), { recursive: true }).map(String);
    expect(files).toContain('index.js');
    expect(files).toContain('index.d.ts');
    expect(files).toContain(join('reference', 'index.js'));
    expect(readdirSync(join(app, 'node_modules/simdconv')).sort()).toEqual(['README.md', 'dist', 'package.json']);
  });

  it('imports from Node ESM and computes the seed example', () => {
    writeFileSync(join(app, 'consumer.mjs'), `${consumer}\nconsole.log(JSON.stringify(result));\n`);
    const output = execFileSync(process.execPath, ['consumer.mjs'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual(threadedResult);
  });

  it('installs the simdconv command', () => {
    const output = execFileSync(join(app, 'node_modules/.bin/simdconv'), ['info', '--input', '1,1,5,5', '--weight', '1,1,3,3'], { cwd: app, encoding: 'utf8' });
    expect(output).toContain('output shape   [1, 1, 3, 3]');
  });

  it('type-checks a TypeScript consumer against the shipped .d.ts files', () => {
    writeFileSync(join(app, 'consumer.ts'), `${consumer}\nconst options: import('simdconv').Conv2dOptions = { layout: 'NHWC', padding: 'same' };\nvoid options;\n`);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2022,DOM', 'consumer.ts'], { cwd: app, stdio: 'pipe' });
  });

  it('runs in a page bundled by Vite', async () => {
    const page = join(app, 'vite-page');
    mkdirSync(page);
    writeFileSync(join(page, 'main.js'), `${consumer}\nwindow.simdconvResult = result;\n`);
    writeFileSync(join(page, 'index.html'), '<!doctype html><title>vite</title><script type="module" src="./main.js"></script>');
    await build({ root: page, logLevel: 'silent', build: { outDir: join(page, 'dist'), target: 'es2022' }, base: './' });
    expect(await resultOfPage(`${baseUrl}/vite-page/dist/index.html`)).toEqual(threadedResult);
  }, 120_000);

  it('runs from a plain <script type="module"> with an import map, no bundler', async () => {
    const importMap = {
      imports: {
        simdconv: '/node_modules/simdconv/dist/index.js',
        'simdconv/reference': '/node_modules/simdconv/dist/reference/index.js',
      },
    };
    writeFileSync(
      join(app, 'plain.html'),
      `<!doctype html><title>plain</title><script type="importmap">${JSON.stringify(importMap)}</script>` +
        `<script type="module">${consumer.replace('export const result', 'const result')}\nwindow.simdconvResult = result;</script>`,
    );
    expect(await resultOfPage(`${baseUrl}/plain.html`)).toEqual(threadedResult);
    expect(await resultOfPage(`${baseUrl}/plain.html?shared=no`)).toEqual(fallbackResult);
  }, 120_000);
});
