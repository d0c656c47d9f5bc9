// The networks benchmark's graphs (bench/networks/graph.ts) against the architectures' known
// figures, and its three engines (simdconv in both layouts, tfjs-backend-wasm, onnxruntime-web)
// agreeing on a reduced input. Node only: the peers load their .wasm files from node_modules.
// The bench code is imported from dist/ (npm test builds it), the same build the `simdconv`
// alias resolves to, so that one simdconv runtime serves the test and the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from 'simdconv';
import { mobileNetV2, multiplyAdds, opKind, parameterCount, resNet18, type Graph, type GraphNode } from '../dist/bench/networks/graph.js';
import { maxRelativeDifference, networkInput, prepareEngines } from '../dist/bench/networks/main.js';

const count = (g: Graph, pick: (n: GraphNode) => boolean) => g.nodes.filter(pick).length;
const shapeOf = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!.outShape;

describe('network graphs', () => {
  it('MobileNetV2: 53 convs (17 depthwise), 10 residual adds, one pool; 3,487,816 parameters; 300,774,272 multiply-adds', () => {
    const g = mobileNetV2();
    // Convs: the stem, block 0's depthwise + projection, 16 blocks × (expand, depthwise, project),
    // the 1×1 head and the classifier: 1 + 2 + 48 + 2. Adds: the stride-1 blocks whose channels
    // match, 1 + 2 + 3 + 2 + 2 in the 24-, 32-, 64-, 96- and 160-channel stages.
    expect(g.nodes).toHaveLength(64);
    expect(count(g, (n) => n.op === 'conv')).toBe(53);
    expect(count(g, (n) => opKind(n) === 'depthwise')).toBe(17);
    expect(count(g, (n) => n.op === 'add')).toBe(10);
    expect(count(g, (n) => n.op === 'globalAvgPool')).toBe(1);
    expect(shapeOf(g, 'stem')).toEqual({ channels: 32, height: 112, width: 112 });
    expect(shapeOf(g, 'block16.project')).toEqual({ channels: 320, height: 7, width: 7 });
    expect(g.outShape).toEqual({ channels: 1000, height: 1, width: 1 });
    // torchvision's mobilenet_v2 has 3,504,872 parameters, 34,112 of them BN scales and shifts
    // over 17,056 channels; folded, those become one bias per conv output channel:
    // 3,504,872 − 34,112 + 17,056 (the classifier's 1,000 biases are in both counts).
    expect(parameterCount(g)).toBe(3_487_816);
    // Per stage by hand, H·W·M·(C/groups)·k², stem 10,838,016 … classifier 1,280,000;
    // the published 300.77 M multiply-adds.
    expect(multiplyAdds(g)).toBe(300_774_272);
  });

  it('ResNet-18: 21 convs (3 downsampling shortcuts), 8 adds, max pool and global pool; 11,684,712 parameters; 1,814,073,344 multiply-adds', () => {
    const g = resNet18();
    expect(g.nodes).toHaveLength(31);
    expect(count(g, (n) => n.op === 'conv')).toBe(21);
    expect(count(g, (n) => n.name.endsWith('.downsample'))).toBe(3);
    expect(count(g, (n) => n.op === 'add')).toBe(8);
    expect(count(g, (n) => n.op === 'maxPool')).toBe(1);
    expect(shapeOf(g, 'maxpool')).toEqual({ channels: 64, height: 56, width: 56 });
    expect(shapeOf(g, 'layer4.1.add')).toEqual({ channels: 512, height: 7, width: 7 });
    expect(g.outShape).toEqual({ channels: 1000, height: 1, width: 1 });
    // torchvision's resnet18: 11,689,512 parameters, 9,600 of them BN over 4,800 channels;
    // conv weights 11,166,912 + FC 513,000 + one folded bias per conv output channel 4,800.
    expect(parameterCount(g)).toBe(11_684_712);
    // Stem 118,013,952 + layer1 462,422,016 + 3 × 411,041,792 (layers 2–4, each 57.8 M + 3 × 115.6 M
    // + a 6.4 M shortcut) + FC 512,000; the published 1.81 G.
    expect(multiplyAdds(g)).toBe(1_814_073_344);
  });

  it('weights are the same on every build (seeded)', () => {
    const [a, b] = [resNet18(32), resNet18(32)];
    const conv = (g: Graph) => g.nodes.find((n) => n.name === 'layer3.0.conv1')!;
    const [wa, wb] = [conv(a), conv(b)];
    if (wa.op !== 'conv' || wb.op !== 'conv') throw new Error('not a conv');
    expect(wa.weights).toEqual(wb.weights);
    expect(wa.bias).toEqual(wb.bias);
  });
});

// Measured here: at most 2.4e-6 of max |output| between any two engines (32² and 224²); float32
// sums in different orders over ~50 layers. 1e-4 leaves room for other summation orders.
const TOLERANCE = 1e-4;

describe('engines agree on a 32×32 input', () => {
  beforeAll(() => init({ threads: 1 }));

  for (const build of [mobileNetV2, resNet18]) {
    const graph = build(32);
    describe(graph.name, () => {
      let engines: Awaited<ReturnType<typeof prepareEngines>> = [];
      afterAll(() => { for (const e of engines) e.dispose(); });

      it('simdconv NCHW and NHWC, tfjs-wasm and ort-web give the same 1000 outputs', async () => {
        engines = await prepareEngines(graph, 1);
        expect(engines.map((e) => e.name)).toEqual(['simdconv NCHW', 'simdconv NHWC', 'tfjs-wasm', 'ort-web']);
        const input = networkInput(graph);
        const outputs = new Map<string, Float32Array>();
        for (const e of engines) outputs.set(e.name, (await e.run(input[e.layout])).slice());
        const reference = outputs.get('ort-web')!;
        expect(reference).toHaveLength(1000);
        expect(reference.every(Number.isFinite)).toBe(true);
        expect(Math.max(...reference.map(Math.abs))).toBeGreaterThan(0);
        for (const [name, out] of outputs) expect(maxRelativeDifference(out, reference), name).toBeLessThan(TOLERANCE);
        // The per-node form gives the run's output, one time per node.
        for (const e of engines.filter((x) => x.runTimed)) {
          const { output, nodeMs } = await e.runTimed!(input[e.layout]);
          expect(nodeMs, e.name).toHaveLength(graph.nodes.length);
          expect(maxRelativeDifference(output, outputs.get(e.name)!), e.name).toBe(0);
        }
      });
    });
  }
});
