// `npm run demo`: serves the demo page with the headers that make a page cross-origin isolated
// (SharedArrayBuffer, and so threads, need them). Also used by the demo's Playwright test.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
// Only these folders are served: the page and the built library (it has no runtime dependency).
const SERVED = ['demo', 'dist'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

export function startDemoServer(port = 0) {
  const server = createServer(async (request, response) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    let path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path === '/') path = '/demo/index.html';
    const file = normalize(join(root, path));
    const allowed = SERVED.some((folder) => file.startsWith(join(root, folder) + '/'));
    try {
      if (!allowed) throw new Error('not served');
      const body = await readFile(file);
      response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404, headers).end('not found');
    }
  });
  return new Promise((ready) => server.listen(port, '127.0.0.1', () => ready({ server, url: `http://127.0.0.1:${server.address().port}/` })));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startDemoServer(Number(process.env.PORT ?? 8080));
  console.log(`simdconv demo: ${url}  (Ctrl+C to stop)`);
}
