// simdconv/reference is the oracle: it must share no code with the fast path it checks, or a bug
// in shared code (shape math, presets) moves both sides and no comparison can see it. It also
// loads no WebAssembly. Checked on the built files the package ships (type imports are erased).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../dist/reference/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.js'));

describe('simdconv/reference is independent of the fast path', () => {
  it('has its modules', () => {
    expect(files.sort()).toEqual(['add.js', 'conv-transpose2d.js', 'conv1d.js', 'conv2d.js', 'conv3d.js', 'filter-image.js', 'index.js', 'pool2d.js', 'semantics.js']);
  });

  for (const name of files) {
    it(`${name} imports only from dist/reference/ and uses no WebAssembly`, () => {
      // Code only: the comments may well mention WebAssembly.
      const source = readFileSync(new URL(name, dir), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      const specifiers = [...source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
      for (const specifier of specifiers) expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[\w-]+\.js$/);
      expect(source).not.toMatch(/WebAssembly/);
    });
  }
});
