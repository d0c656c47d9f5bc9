// The pool's mailbox encoding (src/task-codec.ts): plain data goes through exactly, frozen
// objects are encoded once and kept by a reader only once it commits, anything else is refused,
// and a torn or garbage batch throws a RangeError instead of decoding into something else.
import { describe, expect, it } from 'vitest';
import { TaskReader, TaskWriter, type CodecView } from '../dist/task-codec.js';
import { seededRandom } from './helpers.js';

function view(values = 4096, strings = 4096): CodecView {
  const buffer = new SharedArrayBuffer(values * 8 + strings * 2 + 8);
  return {
    values: new Float64Array(buffer, 0, values),
    strings: new Uint16Array(buffer, values * 8, strings),
    counters: new Int32Array(buffer, values * 8 + strings * 2, 2),
  };
}

/** A random plain value: numbers of every kind, strings (non-ASCII too), nesting. */
function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 5 : 8));
  switch (pick) {
    case 0: return [0, -0, 1.5, -7, 2 ** 53, 1e-300, NaN, Infinity, -Infinity, 4294967296][Math.floor(random() * 10)];
    case 1: return ['', 'NHWC', 'relu6', 'ключ', '𝔵', 'a'.repeat(40)][Math.floor(random() * 6)];
    case 2: return random() < 0.5;
    case 3: return null;
    case 4: return Math.floor(random() * 1e6);
    case 5: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = Math.floor(random() * 5);
      for (let k = 0; k < keys; k++) object[`k${Math.floor(random() * 9)}`] = randomValue(random, depth + 1);
      return object;
    }
  }
}

describe('task codec', () => {
  it('round-trips 2,000 random plain values exactly (NaN, -0, ±Infinity, strings, nesting)', () => {
    const v = view();
    const [writer, reader] = [new TaskWriter(v), new TaskReader(v)];
    const random = seededRandom(91);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(random, 0);
      const length = writer.write(value);
      expect(reader.read(length)).toStrictEqual(value);
    }
  });

  it('leaves out undefined properties, as JSON does', () => {
    const v = view();
    const [writer, reader] = [new TaskWriter(v), new TaskReader(v)];
    expect(reader.read(writer.write({ a: 1, b: undefined, c: [2] }))).toStrictEqual({ a: 1, c: [2] });
  });

  it('writes a frozen object once; a reader keeps it only after commit()', () => {
    const v = view();
    const [writer, reader] = [new TaskWriter(v), new TaskReader(v)];
    const geometry = Object.freeze({ layout: 'NCHW', outChannels: 64, padding: Object.freeze({ top: 1, bottom: 1 }) });
    const first = writer.write([{ kind: 'conv', geometry }, { kind: 'conv', geometry }]);
    const [a, b] = reader.read(first) as Array<{ geometry: unknown }>;
    expect(a!.geometry).toStrictEqual(geometry);
    // Within one read the two references are one decoded object.
    expect(b!.geometry).toBe(a!.geometry);
    expect(Object.isFrozen(a!.geometry)).toBe(true);
    // Not committed: the next read decodes what is written now. Here the written values are
    // changed behind the writer's back (as a torn read would see them), and the reader must
    // not have kept the first decoding.
    const length = writer.write({ geometry });
    const outChannels = Array.from(v.values.subarray(0, length)).indexOf(64);
    v.values[outChannels] = 65;
    expect((reader.read(length) as { geometry: { outChannels: number } }).geometry.outChannels).toBe(65);
    v.values[outChannels] = 64;
    expect((reader.read(length) as { geometry: { outChannels: number } }).geometry.outChannels).toBe(64);
    reader.commit();
    // Committed: the reader skips the values from now on.
    v.values[outChannels] = 99;
    expect((reader.read(length) as { geometry: { outChannels: number } }).geometry.outChannels).toBe(64);
  });

  it('refuses what is not plain data, naming it', () => {
    const writer = new TaskWriter(view());
    expect(() => writer.write({ bias: new Float32Array(4) })).toThrowError(TypeError);
    expect(() => writer.write({ bias: new Float32Array(4) })).toThrowError(/Float32Array/);
    expect(() => writer.write([new Map()])).toThrowError(/Map/);
    expect(() => writer.write({ f: () => 1 })).toThrowError(/function/);
    expect(() => writer.write(undefined)).toThrowError(/undefined/);
  });

  it('a batch larger than the mailbox is an Error, and the writer keeps working', () => {
    const v = view(64);
    const [writer, reader] = [new TaskWriter(v), new TaskReader(v)];
    expect(() => writer.write(Array.from({ length: 100 }, (_, i) => i))).toThrowError(/exceeds the mailbox/);
    expect(reader.read(writer.write([1, 'two']))).toStrictEqual([1, 'two']);
  });

  it('garbage and torn batches throw RangeError, never decode into something else, never hang', () => {
    const v = view();
    const [writer, reader] = [new TaskWriter(v), new TaskReader(v)];
    const task = { kind: 'add', a: 64, b: 128, count: 16, activation: 1, alpha: 0, output: 256 };
    const length = writer.write([task, task]);
    expect(() => reader.read(length - 1)).toThrowError(RangeError);
    expect(() => reader.read(length + 1)).toThrowError(RangeError);
    expect(() => reader.read(-1)).toThrowError(RangeError);
    expect(() => reader.read(1e9)).toThrowError(RangeError);
    const random = seededRandom(92);
    const saved = v.values.slice(0, length);
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      v.values.set(saved);
      // Overwrite a random stretch with random values (a half-written next batch).
      const from = Math.floor(random() * length);
      for (let j = from; j < Math.min(length, from + 1 + Math.floor(random() * 8)); j++) {
        v.values[j] = [random() * 10, Math.floor(random() * 10), -1, 1e9, NaN][Math.floor(random() * 5)]!;
      }
      try {
        reader.read(length);
        decoded++;
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
      }
    }
    // Some corruptions are still well-formed data (a changed number); most are not.
    expect(decoded).toBeLessThan(3000);
  });
});
