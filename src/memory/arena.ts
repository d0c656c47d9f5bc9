// A first-fit allocator over a range of WebAssembly linear memory, kept in TypeScript so the
// kernels only ever see pointers (and a thread pool can later partition the same range).
// Regions are 64-byte aligned (cache lines, and whole v128 vectors). Freed regions coalesce, so
// a loop of same-sized calls reuses the same bytes and memory stays at its high-water mark.

const ALIGN = 64;
const PAGE = 65536;
/** wasm32 can address 4 GiB. */
export const MAX_MEMORY_BYTES = 4 * 1024 * 1024 * 1024;

interface FreeBlock { start: number; size: number }

const formatBytes = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;

/**
 * Refuses a call up front, before anything is allocated, when the buffers it needs (bytes per
 * named part: input, output, scratch…) could never fit in WebAssembly memory together.
 */
export function checkCallFits(fn: string, parts: Record<string, number>): void {
  const total = Object.values(parts).reduce((sum, bytes) => sum + bytes, 0);
  if (total <= MAX_MEMORY_BYTES) return;
  const list = Object.entries(parts).filter(([, bytes]) => bytes > 0).map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(', ');
  throw new RangeError(`${fn}: this call needs ${formatBytes(total)} of WebAssembly memory (${list}), more than the 4 GiB WebAssembly can address`);
}

export class Arena {
  private readonly free: FreeBlock[] = [];
  private readonly live = new Map<number, number>();
  private end: number;

  /** @param grow adds at least `bytes` to memory, returning the new end of memory in bytes. */
  constructor(base: number, end: number, private readonly grow: (bytes: number) => number) {
    const start = Math.ceil(base / ALIGN) * ALIGN;
    this.end = end;
    if (end > start) this.free.push({ start, size: end - start });
  }

  /**
   * Returns a 64-byte aligned pointer to `bytes` bytes; grows memory if it must. Long-lived
   * buffers (tensors, packed weights, an op's workspace) are taken first-fit from the bottom;
   * `scratch` ones (freed before the call returns) from the top of the highest free block that
   * fits, so per-call buffers never leave holes between long-lived ones.
   */
  alloc(bytes: number, scratch = false): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let index = scratch ? this.findLast(size) : this.free.findIndex((block) => block.size >= size);
    if (index < 0) {
      const last = this.free[this.free.length - 1];
      const tail = last && last.start + last.size === this.end ? last.size : 0;
      const needed = size - tail;
      if (this.end + needed > MAX_MEMORY_BYTES) {
        throw new RangeError(
          `simdconv: a buffer of ${bytes} bytes does not fit in WebAssembly memory ` +
            `(${this.end} bytes in use or reserved, at most ${MAX_MEMORY_BYTES} addressable)`,
        );
      }
      const oldEnd = this.end;
      this.end = this.grow(Math.ceil(needed / PAGE) * PAGE);
      this.insertFree(oldEnd, this.end - oldEnd);
      index = scratch ? this.findLast(size) : this.free.findIndex((block) => block.size >= size);
    }
    const block = this.free[index]!;
    let ptr: number;
    if (scratch) {
      ptr = block.start + block.size - size;
      block.size -= size;
    } else {
      ptr = block.start;
      block.start += size;
      block.size -= size;
    }
    if (block.size === 0) this.free.splice(index, 1);
    this.live.set(ptr, size);
    return ptr;
  }

  /** The highest free block of at least `size` bytes, or −1. */
  private findLast(size: number): number {
    for (let i = this.free.length - 1; i >= 0; i--) if (this.free[i]!.size >= size) return i;
    return -1;
  }

  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`simdconv internal error: release of unknown pointer ${ptr}`);
    this.live.delete(ptr);
    this.insertFree(ptr, size);
  }

  /** Bytes currently handed out. */
  get liveBytes(): number {
    let total = 0;
    for (const size of this.live.values()) total += size;
    return total;
  }

  private insertFree(start: number, size: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < start) i++;
    this.free.splice(i, 0, { start, size });
    // Merge with the following block, then with the preceding one.
    const next = this.free[i + 1];
    if (next && start + size === next.start) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }
}
