// The linear-memory allocator on its own, with a fake memory that records growth.
import { describe, expect, it } from 'vitest';
import { Arena } from '../dist/memory/arena.js';

function makeArena(base = 100, end = 65536) {
  const state = { end, grows: 0 };
  const arena = new Arena(base, end, (bytes) => {
    state.grows++;
    state.end += bytes;
    return state.end;
  });
  return { arena, state };
}

describe('Arena', () => {
  it('hands out 64-byte aligned, non-overlapping regions after the heap base', () => {
    const { arena } = makeArena();
    const regions = [1, 63, 64, 65, 1000, 4].map((bytes) => ({ ptr: arena.alloc(bytes), bytes }));
    for (const r of regions) {
      expect(r.ptr % 64).toBe(0);
      expect(r.ptr).toBeGreaterThanOrEqual(100);
    }
    const sorted = [...regions].sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.ptr).toBeGreaterThanOrEqual(sorted[i - 1]!.ptr + sorted[i - 1]!.bytes);
  });

  it('reuses freed space: a loop of same-sized allocations does not grow memory', () => {
    const { arena, state } = makeArena();
    for (let i = 0; i < 1000; i++) {
      const a = arena.alloc(40_000);
      const b = arena.alloc(100_000);
      arena.release(a);
      arena.release(b);
    }
    expect(state.grows).toBe(1);
    expect(arena.liveBytes).toBe(0);
  });

  it('coalesces neighbours so a large block fits where small ones were', () => {
    const { arena, state } = makeArena(0, 65536 * 4);
    const small = Array.from({ length: 16 }, () => arena.alloc(16384));
    expect(state.grows).toBe(0);
    for (const ptr of small) arena.release(ptr);
    expect(arena.alloc(65536 * 4)).toBe(0);
    expect(state.grows).toBe(0);
  });

  it('grows by whole pages and extends a free block at the end of memory', () => {
    const { arena, state } = makeArena(0, 65536);
    const a = arena.alloc(30_000);
    const b = arena.alloc(100_000);
    expect(state.grows).toBe(1);
    expect(b).toBe(a + 30_016);
    expect(state.end % 65536).toBe(0);
  });

  it('refuses sizes past 4 GiB with a RangeError naming the size, without growing', () => {
    const { arena, state } = makeArena();
    expect(() => arena.alloc(5 * 1024 ** 3)).toThrowError(RangeError);
    expect(() => arena.alloc(5 * 1024 ** 3)).toThrowError(/5368709120 bytes/);
    expect(state.grows).toBe(0);
  });

  it('takes scratch from the top, long-lived buffers from the bottom: per-call buffers leave no holes between tensors', () => {
    // base 128 (after rounding 100 up), end 65536.
    const { arena } = makeArena();
    const a = arena.alloc(1000);
    const scratch = arena.alloc(5000, true);
    const b = arena.alloc(1000);
    expect(a).toBe(128);
    expect(b).toBe(128 + 1024); // right after a, not after the scratch
    expect(scratch).toBe(65536 - 5056); // at the very top
    arena.release(scratch);
    // With the scratch gone the space above b is one free block again: a large buffer fits.
    expect(arena.alloc(65536 - 128 - 2048)).toBe(128 + 2048);
  });

  it('a scratch buffer that does not fit grows memory and sits at the new top', () => {
    const { arena, state } = makeArena(0, 65536);
    const long = arena.alloc(60_000);
    const scratch = arena.alloc(10_000, true);
    expect(state.grows).toBe(1);
    expect(scratch + 10_048).toBe(state.end);
    arena.release(scratch);
    arena.release(long);
    expect(arena.liveBytes).toBe(0);
  });

  it('rejects releasing a pointer it did not hand out', () => {
    const { arena } = makeArena();
    expect(() => arena.release(12345)).toThrowError(/unknown pointer/);
  });
});
