// Node: the worker pool never keeps the process alive; a script ends on its own after threaded work.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('threads in Node', () => {
  it('a script exits on its own after threaded runs, without terminate()', () => {
    const script = `
      const { init, info, conv2dAsync, createConv2d } = await import(${JSON.stringify(entry)});
      await init({ threads: 2 });
      const x = { data: new Float32Array(16 * 64 * 64).fill(0.5), shape: [1, 16, 64, 64] };
      const w = { data: new Float32Array(16 * 16 * 9).fill(0.25), shape: [16, 16, 3, 3] };
      const y = await conv2dAsync(x, w, { padding: 1 });
      const conv = createConv2d(w, { padding: 1 });
      await Promise.all([conv.runAsync(x), conv.runAsync(x)]);
      conv.run(x); // the caller and a worker: the workers then spin, and must still let it exit
      conv.dispose();
      console.log(JSON.stringify({ value: y.data[65 * 16], threads: info().threads, tasks: info().poolTasks }));`;
    const file = join(mkdtempSync(join(tmpdir(), 'simdconv-exit-')), 'script.mjs');
    writeFileSync(file, script);
    // What is checked is that the process ended by itself with exit code 0 and printed the
    // right values. The timeout is only a guard: if the pool kept the process alive, spawnSync
    // kills it, and the signal and error below fail the test (no time is measured).
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error, 'the process had to be killed: it did not exit on its own').toBeUndefined();
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ value: 16 * 9 * 0.125, threads: 2, tasks: 8 });
  });
});
