#!/usr/bin/env node
/// <reference types="node" />
// The `simdconv` command: filter images (PNG, JPEG; a file or a folder), and layer arithmetic.
//   simdconv filter <in> <out> --kernel <name|file.json> [--edge e] [--sigma s] [--size n]
//                              [--channels c] [--bias b] [--abs] [--normalize]
//   simdconv info --input 1,3,224,224 --weight 32,3,3,3 [--stride 2] [--padding same] ...

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { convInfo, filterImage, init, KERNEL_PRESETS, type Conv2dOptions, type FilterOptions, type ImageLike } from './index.js';

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `simdconv: convolution in WebAssembly SIMD

Usage: simdconv <command> [options]

Commands:
  filter <in> <out> --kernel <name|file.json>   filter a PNG/JPEG image, or every image in a folder
  info --input <dims> --weight <dims>           output shape, multiply-adds and parameters of a conv2d layer
  bench [--peers] [--threads N] [--json]        time simdconv against plain JS (and the peers) on named layers
  bench --networks [--profile]                  MobileNetV2 and ResNet-18 against tfjs-backend-wasm and onnxruntime-web

Run simdconv <command> --help for the options of a command.`,
  filter: `Usage: simdconv filter <in> <out> --kernel <name|file.json> [options]

<in> is a .png, .jpg or .jpeg file, or a folder: then every such image in it is filtered into
the folder <out> (created), with a progress bar and a summary.

Options:
  --kernel <k>      a preset (${KERNEL_PRESETS.join(', ')})
                    or a JSON file holding a 2-D array of numbers
  --edge <e>        zero | clamp | reflect | wrap (default clamp)
  --channels <c>    rgb | rgba | luma (default rgb)
  --sigma <s>       gaussian standard deviation (default 1)
  --size <n>        box size (default 3)
  --bias <b>        added before rounding (default 0)
  --abs             absolute value of the response
  --normalize       divide the weights by their sum`,
  bench: `Usage: simdconv bench [options]

Times simdconv (both layouts) against the plain-JS reference on named layers, one thread,
medians of interleaved rounds after warm-up.

Options:
  --suite           the full suite of layers and ops (several minutes) instead of the default set
  --peers           also tfjs-backend-wasm and onnxruntime-web (install @tensorflow/tfjs-core,
                    @tensorflow/tfjs-backend-wasm and onnxruntime-web next to simdconv)
  --threads <n>     also each layer on a pool of n worker threads (runAsync) against one
  --json            print the figures as JSON on stdout (the table goes to stderr)
  --filter <text>   only the layers whose name contains <text>
  --isa <isa>       simdconv's kernel build: auto (default), simd128 or relaxed-simd (fused
                    multiply-add; on Node 20 this turns on V8's --experimental-wasm-relaxed-simd)
  --networks        whole networks (MobileNetV2, ResNet-18 at 224²) against both peers instead
                    (needs them installed, as --peers); with --profile (time per node and op
                    kind) and --rounds <n> (interleaved rounds, default 5)`,
  info: `Usage: simdconv info --input N,C,H,W --weight M,C/groups,kH,kW [options]

Options (as conv2d's): --stride s|h,w  --dilation d|h,w  --padding valid|same|p|h,w
  --groups g  --layout NCHW|NHWC  --weight-layout OIHW|HWIO|OHWI  --bias (count M bias values)`,
};

/** --name value pairs and bare flags. */
function parseFlags(args: string[], flags: readonly string[], booleans: readonly string[]) {
  const values: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (booleans.includes(name)) values[name] = true;
    else if (flags.includes(name)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { values, positional };
}

function numberFlag(values: Record<string, string | true>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${value}`);
  return n;
}

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

function readImage(path: string): ImageLike {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    if (extname(path).toLowerCase() === '.png') {
      const png = PNG.sync.read(bytes);
      return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), width: png.width, height: png.height };
    }
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), width: image.width, height: image.height };
  } catch (error) {
    throw new UsageError(`cannot decode ${path}: ${(error as Error).message}`);
  }
}

function writeImage(path: string, image: ImageLike): void {
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length);
  const ext = extname(path).toLowerCase();
  if (ext === '.png') {
    const png = new PNG({ width: image.width, height: image.height });
    png.data = data;
    writeFileSync(path, PNG.sync.write(png));
  } else if (ext === '.jpg' || ext === '.jpeg') {
    writeFileSync(path, jpeg.encode({ data, width: image.width, height: image.height }, 92).data);
  } else {
    throw new UsageError(`cannot write ${path}: the output must end in .png, .jpg or .jpeg`);
  }
}

function kernelOf(value: string): Parameters<typeof filterImage>[1] {
  if ((KERNEL_PRESETS as readonly string[]).includes(value)) return value as never;
  if (value.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(value, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read the kernel ${value}: ${(error as Error).message}`);
    }
  }
  throw new UsageError(`--kernel must be a preset (${KERNEL_PRESETS.join(', ')}) or a .json file, got ${value}`);
}

async function filterCommand(args: string[]): Promise<void> {
  const { values, positional } = parseFlags(args, ['kernel', 'edge', 'channels', 'sigma', 'size', 'bias'], ['abs', 'normalize']);
  const [input, output] = positional;
  if (!input || !output || positional.length > 2) throw new UsageError('filter needs <in> and <out>');
  if (typeof values.kernel !== 'string') throw new UsageError('filter needs --kernel <name|file.json>');
  const kernel = kernelOf(values.kernel);
  const options: FilterOptions = {
    ...(values.edge ? { edge: values.edge as FilterOptions['edge'] } : {}),
    ...(values.channels ? { channels: values.channels as FilterOptions['channels'] } : {}),
    ...(numberFlag(values, 'sigma') !== undefined ? { sigma: numberFlag(values, 'sigma') } : {}),
    ...(numberFlag(values, 'size') !== undefined ? { size: numberFlag(values, 'size') } : {}),
    ...(numberFlag(values, 'bias') !== undefined ? { bias: numberFlag(values, 'bias') } : {}),
    abs: values.abs === true,
    normalize: values.normalize === true,
  };
  await init();
  let stats;
  try {
    stats = statSync(input);
  } catch {
    throw new UsageError(`cannot read ${input}: no such file or folder`);
  }
  if (!stats.isDirectory()) {
    const image = readImage(input);
    const start = performance.now();
    writeImage(output, filterImage(image, kernel, options));
    console.log(`${basename(input)} → ${output}: ${image.width}×${image.height} in ${(performance.now() - start).toFixed(1)} ms`);
    return;
  }
  const files = readdirSync(input).filter((name) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())).sort();
  if (files.length === 0) throw new UsageError(`no .png, .jpg or .jpeg images in ${input}`);
  mkdirSync(output, { recursive: true });
  let pixels = 0;
  let filterMs = 0;
  const start = performance.now();
  files.forEach((name, i) => {
    const image = readImage(join(input, name));
    const t0 = performance.now();
    const result = filterImage(image, kernel, options);
    filterMs += performance.now() - t0;
    writeImage(join(output, name), result);
    pixels += image.width * image.height;
    const done = Math.round(((i + 1) / files.length) * 30);
    process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(30 - done)}] ${i + 1}/${files.length} ${name}`.padEnd(80));
  });
  process.stderr.write('\n');
  const total = performance.now() - start;
  console.log(`${files.length} images, ${(pixels / 1e6).toFixed(2)} megapixels: filtering ${filterMs.toFixed(1)} ms ` +
    `(${(pixels / 1e3 / filterMs).toFixed(1)} MP/s), ${total.toFixed(0)} ms with decoding and encoding`);
}

function dims(name: string, value: string | true | undefined): number[] {
  if (typeof value !== 'string') throw new UsageError(`info needs --${name} with comma-separated dimensions`);
  const parts = value.split(',').map(Number);
  if (parts.some((n) => !Number.isInteger(n))) throw new UsageError(`--${name} must be comma-separated integers, got ${value}`);
  return parts;
}

function pairOrNumber(value: string | true | undefined): number | [number, number] | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(',').map(Number);
  return parts.length === 2 ? [parts[0]!, parts[1]!] : parts[0];
}

function infoCommand(args: string[]): void {
  const { values } = parseFlags(args, ['input', 'weight', 'stride', 'dilation', 'padding', 'groups', 'layout', 'weight-layout'], ['bias']);
  const input = dims('input', values.input);
  const weight = dims('weight', values.weight);
  const padding = values.padding === 'same' || values.padding === 'valid' ? values.padding : pairOrNumber(values.padding);
  const options: Conv2dOptions = {
    ...(values.stride ? { stride: pairOrNumber(values.stride) } : {}),
    ...(values.dilation ? { dilation: pairOrNumber(values.dilation) } : {}),
    ...(padding !== undefined ? { padding } : {}),
    ...(values.groups ? { groups: Number(values.groups) } : {}),
    ...(values.layout ? { layout: values.layout as Conv2dOptions['layout'] } : {}),
    ...(values['weight-layout'] ? { weightLayout: values['weight-layout'] as Conv2dOptions['weightLayout'] } : {}),
  };
  const outChannels = (options.weightLayout ?? (options.layout === 'NHWC' ? 'HWIO' : 'OIHW')) === 'HWIO' ? weight[3] : weight[0];
  if (values.bias === true) options.bias = new Float32Array(outChannels ?? 0);
  const info = convInfo(input, weight, options);
  console.log(`output shape   [${info.outputShape.join(', ')}]`);
  console.log(`padding        top ${info.padding.top}, bottom ${info.padding.bottom}, left ${info.padding.left}, right ${info.padding.right}`);
  console.log(`multiply-adds  ${info.multiplyAdds.toLocaleString('en-US')}`);
  console.log(`FLOPs          ${info.flops.toLocaleString('en-US')}`);
  console.log(`parameters     ${info.parameters.toLocaleString('en-US')}`);
}

async function benchCommand(args: string[]): Promise<void> {
  const { values, positional } = parseFlags(args, ['filter', 'threads', 'rounds', 'isa'], ['suite', 'peers', 'json', 'networks', 'profile']);
  if (positional.length > 0) throw new UsageError(`bench takes no file arguments, got ${positional.join(' ')}`);
  if (values.peers === true || values.networks === true) {
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-web']) {
      try {
        await import(name);
      } catch {
        throw new UsageError(`--${values.networks === true ? 'networks' : 'peers'} needs ${name}: npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm onnxruntime-web`);
      }
    }
  }
  const { runBenchmark } = await import('./bench/main.js');
  await runBenchmark([
    ...(values.networks === true ? ['--networks', ...(values.profile === true ? ['--profile'] : [])] : []),
    ...(typeof values.rounds === 'string' ? ['--rounds', values.rounds] : []),
    '--layers', values.suite === true ? 'suite' : 'default', '--no-images',
    ...(values.peers === true ? ['--peers'] : []),
    ...(values.json === true ? ['--json', '-'] : []),
    ...(typeof values.filter === 'string' ? ['--filter', values.filter] : []),
    ...(typeof values.threads === 'string' ? ['--threads', values.threads] : []),
    ...(typeof values.isa === 'string' ? ['--isa', values.isa] : []),
  ]);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(HELP.main);
      return command ? 0 : 1;
    }
    if (args.includes('--help') || args.includes('-h')) {
      if (!HELP[command] || command === 'main') throw new UsageError(`unknown command ${command}`);
      console.log(HELP[command]);
      return 0;
    }
    if (command === 'filter') await filterCommand(args);
    else if (command === 'bench') await benchCommand(args);
    else if (command === 'info') infoCommand(args);
    else throw new UsageError(`unknown command ${command}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof TypeError || error instanceof RangeError) {
      console.error(`simdconv ${command}: ${error.message}`);
      if (error instanceof UsageError) console.error(`Run simdconv ${HELP[command!] ? `${command} ` : ''}--help for usage.`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
