// Pool tasks as numbers in shared memory. A batch is written by the calling thread and read by
// each worker that joins it; as JSON that cost 40–70 µs a batch on a worker (building the string
// from shared memory, then parsing it), more than a small layer's half takes to compute. Here a
// task is a walk of its plain values into a Float64Array, with every string (the keys, and
// names such as 'NHWC') sent once into a shared table and then referred to by number.
//
// A frozen object (a plan's geometry) is encoded once and then copied as values, under an id
// by which a reader that has decoded it before skips it.
//
// Tasks are plain data: numbers, strings, booleans, null, arrays and plain objects. A reader
// checks every index and length against what was written, so a batch torn by a late reader
// (the next batch is being written over it) throws instead of decoding garbage.

const enum Tag {
  Number = 0,
  String = 1,
  True = 2,
  False = 3,
  Null = 4,
  Array = 5,
  Object = 6,
  /** A frozen object: its id, the count of values that follow, then the object as usual. */
  Frozen = 7,
}

/** Frozen objects a reader keeps decoded (the plans in use; a long-running page makes many). */
const READER_FROZEN_CACHE = 1024;

/** Where a codec lives in the mailbox: the values, and the string table with its two counters. */
export interface CodecView {
  values: Float64Array;
  /** Each string as its length, then its UTF-16 units. */
  strings: Uint16Array;
  /** [0]: strings in the table, [1]: units of the table used (published with Atomics). */
  counters: Int32Array;
}

export class TaskWriter {
  private readonly ids = new Map<string, number>();
  /** The values of each frozen object, encoded the first time it was written. */
  private readonly frozen = new WeakMap<object, Float64Array>();
  private nextFrozenId = 0;
  private used = 0;
  private length = 0;

  constructor(private readonly view: CodecView) {}

  /** Writes `value`; returns how many values it took. Throws when it does not fit. */
  write(value: unknown): number {
    this.length = 0;
    this.put(value);
    // Strings are published before the batch (the caller then stores the batch's sequence).
    Atomics.store(this.view.counters, 1, this.used);
    Atomics.store(this.view.counters, 0, this.ids.size);
    return this.length;
  }

  private push(v: number): void {
    if (this.length >= this.view.values.length) throw new Error('simdconv: a pool batch exceeds the mailbox');
    this.view.values[this.length++] = v;
  }

  private stringId(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      const { strings } = this.view;
      if (this.used + 1 + s.length > strings.length || s.length > 0xffff) throw new Error('simdconv: the pool string table is full');
      strings[this.used] = s.length;
      for (let c = 0; c < s.length; c++) strings[this.used + 1 + c] = s.charCodeAt(c);
      this.used += 1 + s.length;
      id = this.ids.size;
      this.ids.set(s, id);
    }
    return id;
  }

  private put(value: unknown): void {
    switch (typeof value) {
      case 'number':
        this.push(Tag.Number);
        this.push(value);
        return;
      case 'string':
        this.push(Tag.String);
        this.push(this.stringId(value));
        return;
      case 'boolean':
        this.push(value ? Tag.True : Tag.False);
        return;
      case 'object':
        if (value === null) {
          this.push(Tag.Null);
        } else if (Array.isArray(value)) {
          this.push(Tag.Array);
          this.push(value.length);
          for (const item of value) this.put(item);
        } else if (Object.getPrototypeOf(value) === Object.prototype) {
          this.putObject(value as Record<string, unknown>);
        } else {
          throw new TypeError(`simdconv: a pool task holds a ${(value as object).constructor?.name ?? 'non-plain object'}; tasks are plain data`);
        }
        return;
      default:
        throw new TypeError(`simdconv: a pool task holds a ${typeof value}; tasks are plain data`);
    }
  }

  private putObject(object: Record<string, unknown>): void {
    const cached = this.frozen.get(object);
    const { values } = this.view;
    if (cached) {
      if (this.length + cached.length > values.length) throw new Error('simdconv: a pool batch exceeds the mailbox');
      values.set(cached, this.length);
      this.length += cached.length;
      return;
    }
    const frozen = Object.isFrozen(object);
    const head = this.length;
    if (frozen) {
      this.push(Tag.Frozen);
      this.push(this.nextFrozenId++);
      this.push(0);
    }
    const start = this.length;
    this.push(Tag.Object);
    this.push(0);
    let keys = 0;
    for (const key in object) {
      const v = object[key];
      if (v === undefined || !Object.prototype.hasOwnProperty.call(object, key)) continue;
      this.push(this.stringId(key));
      this.put(v);
      keys++;
    }
    values[start + 1] = keys;
    if (frozen) {
      values[head + 2] = this.length - start;
      this.frozen.set(object, values.slice(head, this.length));
    }
  }
}

export class TaskReader {
  private readonly table: string[] = [];
  private readonly frozen = new Map<number, unknown>();
  /**
   * Frozen objects of the last read, kept only on commit(): a read may be torn in a way no check
   * sees (a late reader), and the pool knows it was not only once a claim from the batch succeeds.
   */
  private readonly pending = new Map<number, unknown>();
  private tableUnits = 0;
  private at = 0;
  private end = 0;

  constructor(private readonly view: CodecView) {}

  /** Reads back what a TaskWriter wrote in `length` values. */
  read(length: number): unknown {
    if (!(length >= 0 && length <= this.view.values.length)) throw new RangeError('simdconv: a torn pool batch');
    this.pending.clear();
    this.at = 0;
    this.end = length;
    const value = this.get();
    if (this.at !== length) throw new RangeError('simdconv: a torn pool batch');
    return value;
  }

  private next(): number {
    if (this.at >= this.end) throw new RangeError('simdconv: a torn pool batch');
    return this.view.values[this.at++]!;
  }

  private count(): number {
    const n = this.next();
    if (!Number.isInteger(n) || n < 0 || n > this.end - this.at) throw new RangeError('simdconv: a torn pool batch');
    return n;
  }

  private string(id: number): string {
    if (id >= this.table.length) this.loadStrings();
    const s = this.table[id];
    if (s === undefined) throw new RangeError('simdconv: a torn pool batch');
    return s;
  }

  /** Keeps the frozen objects of the last read (it was not torn). */
  commit(): void {
    for (const [id, value] of this.pending) {
      if (this.frozen.size >= READER_FROZEN_CACHE) this.frozen.delete(this.frozen.keys().next().value!);
      this.frozen.set(id, value);
    }
    this.pending.clear();
  }

  /** Strings the writer has published since this reader last looked. */
  private loadStrings(): void {
    const { strings, counters } = this.view;
    const count = Atomics.load(counters, 0);
    const units = Atomics.load(counters, 1);
    while (this.table.length < count && this.tableUnits < units) {
      const length = strings[this.tableUnits]!;
      const start = this.tableUnits + 1;
      let s = '';
      for (let c = 0; c < length; c++) s += String.fromCharCode(strings[start + c]!);
      this.table.push(s);
      this.tableUnits = start + length;
    }
  }

  private get(): unknown {
    const tag = this.next();
    switch (tag) {
      case Tag.Number:
        return this.next();
      case Tag.String:
        return this.string(this.next());
      case Tag.True:
        return true;
      case Tag.False:
        return false;
      case Tag.Null:
        return null;
      case Tag.Array: {
        const n = this.count();
        const items = new Array<unknown>(n);
        for (let i = 0; i < n; i++) items[i] = this.get();
        return items;
      }
      case Tag.Object: {
        const n = this.count();
        const object: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.string(this.next());
          object[key] = this.get();
        }
        return object;
      }
      case Tag.Frozen: {
        const id = this.next();
        const length = this.count();
        const known = this.frozen.get(id) ?? this.pending.get(id);
        if (known !== undefined) {
          this.at += length;
          return known;
        }
        const end = this.at + length;
        const value = Object.freeze(this.get());
        if (this.at !== end) throw new RangeError('simdconv: a torn pool batch');
        this.pending.set(id, value);
        return value;
      }
      default:
        throw new RangeError('simdconv: a torn pool batch');
    }
  }
}
