// Writes assembly/gen/gemm-tiles.ts: the GEMM register-tile kernels, one per tile shape and
// operand form, from the one template below (run by `npm run build:wasm`; the output is
// committed so that a change to the kernels shows in review).
//
// A kernel computes C[rows × cols] = A[rows × depth] · B[depth × cols] in TILE_ROWS × 8 tiles.
// Each operand is packed (A: [depth][4] panels of 4 rows, B: [depth][8] panels of 8 columns) or
// read in place, row-major with a stride (see assembly/gemm.ts). The reduction runs K_UNROLL
// steps per loop iteration with constant load offsets, so the pointer bumps and the loop test
// are paid once per K_UNROLL steps; a scalar-step loop finishes the remainder. Every output is
// the same sum in the same order (k = 0, 1, …, each step one madd: mul then add, or one FMA in
// the relaxed-SIMD build) whatever the tile, so results stay bitwise identical across tiles,
// row bands and thread counts within a build.
//
// usage: node scripts/gen-gemm.mjs [out.ts]   (default assembly/gen/gemm-tiles.ts)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const K_UNROLL = 4;
const PACKED_A_ROWS = 4; // rows per packed A panel (assembly/pack.ts)
const COLS = 8; // columns per tile and per packed B panel: two f32x4 vectors

/**
 * The kernels. splat: 'load' broadcasts each A element straight from memory (v128.load32_splat);
 * 'shuffle' loads K_UNROLL of them as one vector and broadcasts lanes by shuffle (XNNPACK's
 * "splat" variant) — only meaningful for an unrolled step. unroll: reduction steps per loop
 * iteration (default K_UNROLL).
 *
 * All run 4×8 and one step per iteration: TurboFan places a loop body's loads first (they are
 * ordered on its effect chain) and the arithmetic after them, so every loaded vector of an
 * iteration is live at once beside the accumulators. 4×8 × 1 step is 8 + 2 + 4 = 14 of the 15
 * xmm registers; anything larger spills. Measured side by side on the NHWC 1×1 MobileNetV2
 * layers (bench/gemm-kernel.mjs, kernel alone, vs this 4×8): 5×8 0.84–0.96× (up to 1.36× at
 * 960→160@7² only), 6×8 0.6–0.75×, 4×8 unrolled 2 0.67–0.88×, unrolled 4 0.70–0.86×, and the
 * shuffle splat unrolled 4 0.77–0.92× (4×8) and 0.80–0.92× (6×8).
 */
export const KERNELS = [
  { name: 'gemm4x8InPlaceA', rows: 4, a: 'inPlace', b: 'packed', splat: 'load', unroll: 1 },
  { name: 'gemm4x8InPlaceB', rows: 4, a: 'packed', b: 'inPlace', splat: 'load', unroll: 1 },
  { name: 'gemm4x8Packed', rows: 4, a: 'packed', b: 'packed', splat: 'load', unroll: 1 },
  { name: 'gemm4x8PackingA', rows: 4, a: 'packing', b: 'packed', splat: 'load', unroll: 1 },
];

const range = (n) => Array.from({ length: n }, (_, i) => i);
const indent = (lines, pad) => lines.map((l) => (l ? pad + l : l)).join('\n');

/** The A value of tile row r at unrolled step s, as a splat v128 expression. */
function aSplat(kernel, r, s, unrolled) {
  if (kernel.a === 'inPlace') {
    if (kernel.splat === 'shuffle' && unrolled) return `v128.shuffle<f32>(va${r}, va${r}, ${s}, ${s}, ${s}, ${s})`;
    return `v128.load32_splat(a${r}, ${4 * s})`;
  }
  if (kernel.splat === 'shuffle' && unrolled) return `v128.shuffle<f32>(va${s}, va${s}, ${r}, ${r}, ${r}, ${r})`;
  return `v128.load32_splat(a0, ${(4 * PACKED_A_ROWS) * s + 4 * r})`;
}

/** One reduction step s of the tile: two B vectors times each row's splat, into the accumulators. */
function step(kernel, s, unrolled) {
  const lines = [];
  if (kernel.b === 'packed') {
    lines.push(`b0 = v128.load(bk, ${4 * COLS * s});`, `b1 = v128.load(bk, ${4 * COLS * s + 16});`);
  } else {
    lines.push('b0 = v128.load(bk);', 'b1 = v128.load(bk, 16);', 'bk += bStepBytes;');
  }
  for (const r of range(kernel.rows)) {
    lines.push(`av = ${aSplat(kernel, r, s, unrolled)};`);
    lines.push(`c${r}0 = madd(av, b0, c${r}0);`, `c${r}1 = madd(av, b1, c${r}1);`);
  }
  return lines;
}

/** Pointer bumps after `steps` reduction steps. */
function advance(kernel, steps) {
  const lines = [];
  if (kernel.a === 'inPlace') for (const r of range(kernel.rows)) lines.push(`a${r} += ${4 * steps};`);
  else lines.push(`a0 += ${4 * PACKED_A_ROWS * steps};`);
  if (kernel.b === 'packed') lines.push(`bk += ${4 * COLS * steps};`);
  return lines;
}

function shuffleLoads(kernel) {
  if (kernel.splat !== 'shuffle') return [];
  if (kernel.a === 'inPlace') return range(kernel.rows).map((r) => `const va${r} = v128.load(a${r});`);
  return range(K_UNROLL).map((s) => `const va${s} = v128.load(a0, ${4 * PACKED_A_ROWS * s});`);
}

function kernelSource(kernel) {
  const { name, rows } = kernel;
  if (kernel.a !== 'inPlace' && rows !== PACKED_A_ROWS) throw new Error(`${name}: a packed A panel has ${PACKED_A_ROWS} rows`);
  const acc = range(rows).map((r) => `c${r}0 = zero, c${r}1 = zero`).join(', ');
  const aSetup = kernel.a === 'inPlace'
    ? [
      'const aRowBytes = <usize>aRowStride << 2;',
      'const last = rows - 1;',
      '// A ragged tile repeats the last row; its results are not stored.',
      ...range(rows).map((r) => `let a${r} = a + <usize>${r === 0 ? 'i0' : `min(i0 + ${r}, last)`} * aRowBytes;`),
    ]
    : kernel.a === 'packing'
      ? ['let a0 = a; // the row group, packed by packRowGroup into one panel']
      : [`let a0 = a + (<usize>(i0 / ${PACKED_A_ROWS})) * (<usize>depth << ${Math.log2(4 * PACKED_A_ROWS)});`];
  const bSetup = kernel.b === 'inPlace'
    ? ['const bStepBytes = <usize>bRowStride << 2;', 'let bk = b + (<usize>j0 << 2);']
    : [`let bk = b + (<usize>(j0 / ${COLS})) * (<usize>depth << ${Math.log2(4 * COLS)});`];
  const stores = range(rows).map((r) => {
    const call = `storeTileRow(rowPtr, c${r}0, c${r}1, tileBias(rowBias, i0 + ${r}, colBias, colBiasLo), tileBias(rowBias, i0 + ${r}, colBias, colBiasHi), activation, alpha, validCols);`;
    return r === 0 ? call : `if (validRows > ${r}) {\n  rowPtr += rowStrideBytes;\n  ${call}\n}`;
  });
  const unroll = kernel.unroll ?? K_UNROLL;
  const unrolled = range(unroll).flatMap((s) => step(kernel, s, true));
  return `
/** One ${rows}×${COLS} tile at (i0, j0): A ${{ inPlace: 'in place', packed: 'packed', packing: 'packed per row group' }[kernel.a]}, B ${kernel.b === 'inPlace' ? 'in place' : 'packed'}. */
@inline function ${name}Tile(
  i0: i32, j0: i32, rows: i32, cols: i32, depth: i32, a: usize, b: usize, out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize, activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32,
): void {
  const zero = f32x4.splat(0);
${indent([...aSetup, ...bSetup], '  ')}
  let ${acc};
  let b0 = zero, b1 = zero, av = zero;
  let k = 0;
${unroll > 1 ? `  for (; k + ${unroll} <= depth; k += ${unroll}) {
${indent([...shuffleLoads(kernel), ...unrolled, ...advance(kernel, unroll)], '    ')}
  }
` : ''}${kernel.b === 'packed' ? `  // Counted by the B pointer: one add fewer per step than a separate k.
  const bEnd = bk + (<usize>(depth - k) << ${Math.log2(4 * COLS)});
  while (bk < bEnd) {` : '  for (; k < depth; k++) {'}
${indent([...step(kernel, 0, false), ...advance(kernel, 1)], '    ')}
  }
  let colBiasLo = zero, colBiasHi = zero;
  if (colBias != 0) {
    colBiasLo = v128.load(colBias + (<usize>j0 << 2));
    colBiasHi = v128.load(colBias + (<usize>j0 << 2), 16);
  }
  const validRows = rows - i0;
  const validCols = cols - j0;
  const rowStrideBytes = <usize>outRowStride << 2;
  let rowPtr = out + (<usize>i0) * rowStrideBytes + (<usize>j0 << 2);
${indent(stores.join('\n').split('\n'), '  ')}
}

/**
 * ${name}: every ${rows}×${COLS} tile; rowsOuter runs the columns inside each ${rows}-row group
 * (else each ${COLS}-column panel sweeps all rows).
 */
export function ${name}(
  rows: i32, cols: i32, depth: i32, a: usize, b: usize, out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize, activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32, rowsOuter: bool, aPack: usize,
): void {
  if (depth < SPECIALISED_MAX_DEPTH) ${name}Short(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride, rowsOuter, aPack);
  else ${name}Tiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride, rowsOuter, aPack);
}

/**
 * ${name} for short reductions: one copy of the tile loops per common activation, so that the
 * store pass, a large share of their time, has no branch on it (1.06–1.26× at K = 16–24,
 * measured side by side). Long reductions keep the shared copy: specialised they ran 0.94–0.96×.
 */
function ${name}Short(
  rows: i32, cols: i32, depth: i32, a: usize, b: usize, out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize, activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32, rowsOuter: bool, aPack: usize,
): void {
  if (activation == ACT_NONE) ${name}Tiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, ACT_NONE, alpha, aRowStride, bRowStride, rowsOuter, aPack);
  else if (activation == ACT_RELU) ${name}Tiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, ACT_RELU, alpha, aRowStride, bRowStride, rowsOuter, aPack);
  else if (activation == ACT_RELU6) ${name}Tiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, ACT_RELU6, alpha, aRowStride, bRowStride, rowsOuter, aPack);
  else ${name}Tiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride, rowsOuter, aPack);
}

@inline function ${name}Tiles(
  rows: i32, cols: i32, depth: i32, a: usize, b: usize, out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize, activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32, rowsOuter: bool, aPack: usize,
): void {
${kernel.a === 'packing' ? `  // Each row group is packed once into one panel (aPack: 16·depth bytes), then every column
  // panel runs on it: the packed step has 4 pointer adds fewer than reading the rows in place.
  for (let i0 = 0; i0 < rows; i0 += ${rows}) {
    packRowGroup(a, aRowStride, i0, rows, depth, aPack);
    for (let j0 = 0; j0 < cols; j0 += ${COLS}) {
      ${name}Tile(i0, j0, rows, cols, depth, aPack, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride);
    }
  }
  return;
` : ''}  if (rowsOuter) {
    for (let i0 = 0; i0 < rows; i0 += ${rows}) {
      for (let j0 = 0; j0 < cols; j0 += ${COLS}) {
        ${name}Tile(i0, j0, rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride);
      }
    }
  } else {
    for (let j0 = 0; j0 < cols; j0 += ${COLS}) {
      for (let i0 = 0; i0 < rows; i0 += ${rows}) {
        ${name}Tile(i0, j0, rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride);
      }
    }
  }
}
`;
}

export function generate(kernels = KERNELS) {
  return `// Generated by scripts/gen-gemm.mjs: edit the template there, not this file.
// GEMM register-tile kernels (see assembly/gemm.ts for the operand forms).

import { ACT_NONE, ACT_RELU, ACT_RELU6 } from "../activation";
import { packRowGroup } from "../pack";
import { madd, storeTileRow, tileBias } from "../vector";

/** Reductions shorter than this run a copy of the tiles specialised to their activation. */
const SPECIALISED_MAX_DEPTH: i32 = 32;
${kernels.map(kernelSource).join('')}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../assembly/gen/gemm-tiles.ts'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, generate());
}
