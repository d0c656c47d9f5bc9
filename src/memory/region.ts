// A region of linear memory owned by one prepared op: grown on demand and kept between runs, so a
// layer run in a loop allocates nothing after its first call.

import type { Runtime } from '../runtime.js';

export class Region {
  ptr = 0;
  private bytes = 0;

  /** @param scratch freed before the call that made it returns (Arena.alloc's scratch area). */
  constructor(private readonly scratch = false) {}

  ensure(rt: Runtime, bytes: number): number {
    if (bytes > this.bytes) {
      // Allocate first: if it throws, the old region is still valid and still owned.
      const ptr = rt.arena.alloc(bytes, this.scratch);
      this.free(rt);
      this.ptr = ptr;
      this.bytes = bytes;
    }
    return this.ptr;
  }

  free(rt: Runtime): void {
    if (this.bytes > 0) rt.arena.release(this.ptr);
    this.ptr = 0;
    this.bytes = 0;
  }
}
