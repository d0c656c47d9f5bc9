// Setup of the 'node-relaxed-simd' test project: loads the relaxed-SIMD (FMA) kernel build before
// a file's own init() calls, which then keep it (the first init chooses the build). Node 20
// needs V8's experimental flag for it; init({ isa: 'relaxed-simd' }) turns that on.
import { beforeAll } from 'vitest';
import { info, init } from 'simdconv';

beforeAll(async () => {
  await init({ isa: 'relaxed-simd' });
  if (info().isa !== 'relaxed-simd') throw new Error(`the relaxed-SIMD project loaded the ${info().isa} build`);
});
