// The one place for module loading and WebAssembly memory. The kernel bytes are embedded
// (src/generated/kernel-wasm.ts, written by the build), so the package loads without
// configuration in Node, through bundlers and from a plain <script type="module">. With more
// than one thread the memory is shared and a pool of workers runs the same kernels over it.

import { Arena } from './memory/arena.js';
import {
  KERNEL_WASM_BASE64, RELAXED_KERNEL_WASM_BASE64, RELAXED_THREADED_KERNEL_WASM_BASE64, THREADED_KERNEL_WASM_BASE64,
} from './generated/kernel-wasm.js';
import { instantiateKernels, type KernelRuntime } from './kernels.js';
import { WorkerPool } from './pool.js';
import { isNode } from './environment.js';

export type { KernelExports, KernelRuntime } from './kernels.js';

export interface Runtime extends KernelRuntime {
  readonly arena: Arena;
}

/** The instruction set of a kernel build: SIMD128 only, or with relaxed SIMD's fused multiply-add. */
export type Isa = 'simd128' | 'relaxed-simd';

export interface InitOptions {
  /**
   * Which kernel build to load. 'relaxed-simd' computes each multiply-add of the GEMM, direct
   * and Winograd inner loops as one fused multiply-add (one rounding instead of two: results
   * differ from the SIMD128 build in the last bits, within the documented tolerances); the
   * GEMM kernel alone ran 1.16–1.42× faster on MobileNetV2's 1×1 shapes. 'auto' (the default)
   * loads it wherever the engine validates relaxed SIMD as it stands (Chromium 114+, Node 22+,
   * or a Node 20 started with --experimental-wasm-relaxed-simd), else 'simd128'. Asking for 'relaxed-simd' on Node 20 turns
   * on V8's experimental flag --experimental-wasm-relaxed-simd for the process
   * (v8.setFlagsFromString); on an engine that cannot run it, init rejects and says why. The build
   * is chosen by the first init; info().isa tells which one runs, on the workers too.
   */
  isa?: 'auto' | Isa;
  /**
   * Threads for the async forms (conv2dAsync, runAsync…): default the number of cores, at most
   * 8. `1` keeps everything on the calling thread. Without shared memory (a page that is not
   * cross-origin isolated, an engine without wasm threads) it falls back to 1: see info().
   */
  threads?: number;
  /**
   * Multiply-adds below which a call is not split over threads (run() stays on the calling
   * thread, an async call runs there too), where handing it out would cost more than it saves.
   * Default 1,000,000 (about 50 µs of work; a pooled call costs 20–60 µs, bench/pool-latency.mjs;
   * MobileNetV2 on 2 threads gained 1.05–1.12× at 8 M and 1.4–1.65× at 0.25–1 M). Depthwise
   * multiply-adds count 3 times: they are memory-bound. Infinity keeps everything on the
   * calling thread.
   */
  parallelThreshold?: number;
}

export interface Info {
  /** Threads the async forms use (1: no pool). */
  threads: number;
  /** WebAssembly SIMD: always true, the kernels need it. */
  simd: true;
  /** The kernel build in use (the same on the calling thread and every worker). */
  isa: Isa;
  sharedMemory: boolean;
  /** Why fewer threads than asked for are used, once, or null. */
  notice: string | null;
  /** Multiply-adds from which async calls go to the pool (depthwise ones count 3 times). */
  parallelThreshold: number;
  /** Kernel tasks the current pool has run (diagnostics: 0 means nothing went to the workers). */
  poolTasks: number;
}

/** Shared WebAssembly memory can grow up to 4 GiB (65536 pages); a private one has no maximum. */
const MAX_PAGES = 65536;

let runtime: Runtime | null = null;
let loading: Promise<void> | null = null;
let threadedModule: WebAssembly.Module | null = null;
let pool: WorkerPool | null = null;
let poolLoading: Promise<WorkerPool | null> | null = null;
let state: Omit<Info, 'poolTasks' | 'parallelThreshold'> = { threads: 1, simd: true, isa: 'simd128', sharedMemory: false, notice: null };
let parallelThreshold = 1_000_000;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function defaultThreads(): Promise<number> {
  let cores = 1;
  if (isNode) {
    const os = await import(/* @vite-ignore */ 'node:os');
    cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else if (typeof navigator !== 'undefined') {
    cores = navigator.hardwareConcurrency || 1;
  }
  return Math.max(1, Math.min(8, cores));
}

/**
 * The smallest module with a relaxed-SIMD opcode: one function returning
 * f32x4.relaxed_madd(v128.const 0, v128.const 0, v128.const 0). An engine validates it exactly
 * when it would validate the relaxed builds (a module with one unknown opcode fails as a whole).
 */
const RELAXED_PROBE = (() => {
  const zero = () => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zero(), ...zero(), ...zero(), 0xfd, 0x85, 0x02, 0x0b]; // no locals … relaxed_madd, end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code section
  ]);
})();

function engineValidatesRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** The build to load for `asked`; may turn on Node 20's V8 flag, so call it once, before compiling. */
async function chooseIsa(asked: 'auto' | Isa): Promise<Isa> {
  if (asked === 'simd128') return 'simd128';
  if (engineValidatesRelaxedSimd()) return 'relaxed-simd';
  if (asked === 'auto') return 'simd128';
  if (isNode) {
    const v8 = await import(/* @vite-ignore */ 'node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // V8 before 11.4 (Node 18, 20): experimental
    if (engineValidatesRelaxedSimd()) return 'relaxed-simd';
    throw new Error(`init: options.isa 'relaxed-simd': this Node ${process.versions.node} (V8 ${process.versions.v8}) does not validate relaxed SIMD even with --experimental-wasm-relaxed-simd; use isa 'simd128' or 'auto'`);
  }
  throw new Error("init: options.isa 'relaxed-simd': this engine does not validate WebAssembly relaxed SIMD (Chromium has it from version 114); use isa 'simd128' or 'auto'");
}

/** Why shared memory and workers cannot be used here, or null when they can. */
function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available (the page must be cross-origin isolated: COOP/COEP headers)';
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (!isNode && typeof Worker === 'undefined') return 'this environment has no Worker';
  return null;
}

async function load(threads: number, askedIsa: 'auto' | Isa): Promise<void> {
  const isa = await chooseIsa(askedIsa);
  const relaxed = isa === 'relaxed-simd';
  let module: WebAssembly.Module | null = null;
  let memory: WebAssembly.Memory | null = null;
  let notice: string | null = null;
  if (threads > 1) {
    notice = threadsUnavailable();
    if (notice === null) {
      try {
        memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
        module = await WebAssembly.compile(decodeBase64(relaxed ? RELAXED_THREADED_KERNEL_WASM_BASE64 : THREADED_KERNEL_WASM_BASE64));
      } catch (error) {
        notice = `this engine cannot run WebAssembly threads (${String(error)})`;
        memory = null;
        module = null;
      }
    }
  }
  if (!module || !memory) {
    memory = new WebAssembly.Memory({ initial: 16 });
    module = await WebAssembly.compile(decodeBase64(relaxed ? RELAXED_KERNEL_WASM_BASE64 : KERNEL_WASM_BASE64));
  }
  const kernels = await instantiateKernels(module, memory);
  const mem = memory;
  const grow = (bytes: number): number => {
    try {
      mem.grow(bytes / 65536);
    } catch (cause) {
      throw new RangeError(`simdconv: WebAssembly memory could not grow by ${bytes} bytes beyond ${mem.buffer.byteLength}`, { cause });
    }
    return mem.buffer.byteLength;
  };
  runtime = { kernels, memory: mem, arena: new Arena(kernels.heapBase(), mem.buffer.byteLength, grow) };
  const shared = threads > 1 && notice === null;
  threadedModule = shared ? module : null;
  state = { threads: shared ? threads : 1, simd: true, isa, sharedMemory: shared, notice: threads > 1 ? notice && `simdconv runs on 1 thread: ${notice}` : null };
}

/**
 * The options read once into a copy, then checked: TypeError for a wrong type, RangeError for a
 * wrong value, naming the option.
 */
function readInitOptions(options: InitOptions): InitOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('init: options must be an object, e.g. { threads: 2 }');
  const { threads, parallelThreshold: threshold, isa } = options;
  if (isa !== undefined && isa !== 'auto' && isa !== 'simd128' && isa !== 'relaxed-simd') {
    const got = typeof isa === 'string' ? `'${isa}'` : `${typeof isa} ${String(isa)}`;
    const message = `init: options.isa must be 'auto', 'simd128' or 'relaxed-simd', got ${got}`;
    throw typeof isa === 'string' ? new RangeError(message) : new TypeError(message);
  }
  if (threads !== undefined) {
    if (typeof threads !== 'number') throw new TypeError(`init: options.threads must be a positive integer, got ${typeof threads} ${String(threads)}`);
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`init: options.threads must be a positive integer, got ${String(threads)}`);
  }
  if (threshold !== undefined) {
    if (typeof threshold !== 'number') throw new TypeError(`init: options.parallelThreshold must be a number >= 0, got ${typeof threshold} ${String(threshold)}`);
    if (!(threshold >= 0)) throw new RangeError(`init: options.parallelThreshold must be a number >= 0, got ${String(threshold)}`);
  }
  return { threads, parallelThreshold: threshold, isa };
}

/**
 * Loads and instantiates the kernels. Idempotent: later calls return the same promise. A later
 * call with another `threads` count resizes the pool (the memory stays as it is: a runtime
 * loaded with 1 thread cannot go multi-threaded, so ask for threads in the first call). The
 * kernel build (`isa`) is fixed by the first call too: a later call asking for the other one
 * rejects.
 */
export function init(options: InitOptions = {}): Promise<void> {
  // A Promise-returning function reports bad arguments by rejecting, never by throwing.
  let checked: InitOptions;
  try {
    checked = readInitOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const asked = checked.threads;
  const askedIsa = checked.isa ?? 'auto';
  if (checked.parallelThreshold !== undefined) parallelThreshold = checked.parallelThreshold;
  if (!loading) {
    loading = (asked !== undefined ? Promise.resolve(asked) : defaultThreads()).then((threads) => load(threads, askedIsa)).then(startPool).catch((error: unknown) => {
      loading = null; // let a later init() retry
      throw error;
    });
    return loading;
  }
  const loaded = askedIsa === 'auto' ? loading : loading.then(() => {
    if (state.isa !== askedIsa) {
      throw new Error(`init: options.isa '${askedIsa}' cannot replace the '${state.isa}' build already loaded: the build is chosen by the first init()`);
    }
  });
  if (asked === undefined) return loaded;
  return loaded.then(() => {
    if (asked === state.threads || !threadedModule) return;
    pool?.terminate();
    pool = null;
    poolLoading = null;
    state = { ...state, threads: asked };
    return startPool();
  });
}

/**
 * Starts the pool with init, so that the synchronous forms can use it from the first call. A
 * pool that fails to start is not init's failure: the async forms report it when they need it.
 */
function startPool(): Promise<void> {
  return getPool().then(() => undefined, () => undefined);
}

/** The threads, SIMD and shared-memory state of the loaded runtime (after init). */
export function info(): Info {
  getRuntime();
  return { ...state, parallelThreshold, poolTasks: pool?.tasksRun ?? 0 };
}

/** Ends the worker pool (Node also exits without it: idle workers never keep it alive). */
export function terminate(): void {
  pool?.terminate();
  pool = null;
  poolLoading = null;
}

/** The pool if it has started (the synchronous forms use it only then), else null. */
export function startedPool(): WorkerPool | null {
  return pool;
}

/** The worker pool, started on first use; null with one thread. */
export function getPool(): Promise<WorkerPool | null> {
  const rt = getRuntime();
  if (state.threads <= 1 || !threadedModule) return Promise.resolve(null);
  poolLoading ??= WorkerPool.create(state.threads, threadedModule, rt.memory).then((created) => (pool = created), (error: unknown) => {
    poolLoading = null;
    throw error;
  });
  return poolLoading;
}

/** The loaded runtime; throws a clear Error when init() has not completed. */
export function getRuntime(): Runtime {
  if (!runtime) throw new Error('simdconv: call `await init()` once before any convolution or image filter (it loads the WebAssembly kernels)');
  return runtime;
}
