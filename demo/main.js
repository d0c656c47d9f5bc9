// The demo page: pick an image and a kernel, see the original and the result side by side, with
// the time simdconv takes against the plain-JS reference for the same filter.
import { filterImage, init, KERNEL_PRESETS, sampleImage } from 'simdconv';
import { filterImage as referenceFilterImage } from 'simdconv/reference';

const $ = (id) => document.getElementById(id);
const kernelSelect = $('kernel');
for (const name of [...KERNEL_PRESETS, 'custom']) kernelSelect.add(new Option(name, name));
kernelSelect.value = 'gaussian';

let source; // the current ImageData

function show(canvas, image) {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d').putImageData(image, 0, 0);
}

function currentKernel() {
  if (kernelSelect.value !== 'custom') return kernelSelect.value;
  return JSON.parse($('custom').value);
}

function options() {
  return { edge: $('edge').value, channels: $('channels').value, sigma: Number($('sigma').value), abs: /^(sobel|edge|laplacian)/.test(kernelSelect.value) };
}

/** Filters with both and shows the timings; returns the simdconv result. */
function apply() {
  $('error').textContent = '';
  try {
    const kernel = currentKernel();
    const t0 = performance.now();
    const result = filterImage(source, kernel, options());
    const ours = performance.now() - t0;
    const t1 = performance.now();
    referenceFilterImage(source, kernel, options());
    const plain = performance.now() - t1;
    show($('result'), result);
    const timing = $('timing');
    timing.textContent = `simdconv ${ours.toFixed(1)} ms (${(1000 / ours).toFixed(0)} fps) · plain JS ${plain.toFixed(1)} ms (${(1000 / plain).toFixed(1)} fps) · ${(plain / ours).toFixed(1)}× faster`;
    // For the page's test: what the shown result was made with.
    Object.assign(timing.dataset, { ready: 'true', kernel: kernelSelect.value, sigma: $('sigma').value, simdconvMs: ours, plainMs: plain });
  } catch (error) {
    $('error').textContent = String(error.message ?? error);
  }
}

function useImage(image) {
  source = image instanceof ImageData ? image : new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  show($('original'), source);
  apply();
}

$('source').addEventListener('change', () => {
  if ($('source').value === 'file') $('file').click();
  else useImage(sampleImage());
});
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  useImage(context.getImageData(0, 0, bitmap.width, bitmap.height));
});
kernelSelect.addEventListener('change', () => {
  $('custom-box').hidden = kernelSelect.value !== 'custom';
  apply();
});
for (const id of ['edge', 'channels']) $(id).addEventListener('change', apply);
$('apply').addEventListener('click', apply);
// The slider re-filters as it moves (with the Gaussian preset) and shows frames per second for both.
$('sigma').addEventListener('input', () => {
  $('sigma-value').textContent = Number($('sigma').value).toFixed(1);
  if (kernelSelect.value === 'gaussian') apply();
});

await init();
document.body.dataset.isolated = String(crossOriginIsolated);
useImage(sampleImage());
