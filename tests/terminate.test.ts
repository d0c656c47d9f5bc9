// terminate(): the worker pool ends, the library keeps working, and init() afterwards works
// again. Its own module graph (vitest isolates files), so init() here is the first one and
// loads the threaded runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, conv2dAsync, info, init, terminate } from 'simdconv';
import { expectMatchesReference, randomTensor, seededRandom } from './helpers.js';

// Threshold 0: every async call goes to the pool, so poolTasks shows whether a pool ran it.
beforeAll(async () => {
  await init({ threads: 2, parallelThreshold: 0 });
});

const random = seededRandom(1212);
const weight = randomTensor(random, [8, 4, 3, 3]);
const input = randomTensor(random, [1, 4, 20, 20]);
const options = { padding: 'same' as const };
const expectCorrect = (label: string, y: Parameters<typeof expectMatchesReference>[0]) => expectMatchesReference(y, input, weight, options, label);

describe('terminate', () => {
  it('ends the pool: its task count goes back to 0; sync and async calls still give the reference values', async () => {
    expect(info().threads).toBe(2);
    expectCorrect('async before terminate', await conv2dAsync(input, weight, options));
    expect(info().poolTasks).toBeGreaterThan(0);
    terminate();
    expect(info().poolTasks).toBe(0);
    expectCorrect('sync after terminate', conv2d(input, weight, options));
    expectCorrect('async after terminate', await conv2dAsync(input, weight, options));
    terminate();
    terminate(); // twice, and with no pool: harmless
    expect(info().poolTasks).toBe(0);
  });

  it('init() after terminate() works again: same threads, a fresh pool, correct values', async () => {
    terminate();
    await init({ threads: 2 });
    expect(info()).toMatchObject({ threads: 2, sharedMemory: true, parallelThreshold: 0 });
    expectCorrect('async after init', await conv2dAsync(input, weight, options));
    expect(info().poolTasks).toBeGreaterThan(0);
    // Asking for one thread ends the pool for good: async calls then run on the calling thread.
    await init({ threads: 1 });
    expect(info().threads).toBe(1);
    expectCorrect('async on one thread', await conv2dAsync(input, weight, options));
    expect(info().poolTasks).toBe(0);
  });
});
