// previewFor and the publisher hook on a real product store: previews land where DataLink's lookup finds them
// (<stem>.png beside the product), are made once, and a bad product never fails the job's publication.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Plan } from '../../src/domain/plan.js';
import { writeFits } from '../../src/fits/index.js';
import { createLogger } from '../../src/logger.js';
import { previewFor, withPreviews } from '../../src/previews/previews.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import { createFilePreviewLookup } from '../../src/datalink/preview-lookup.js';
import { fakePlan } from '../support/fake-plan.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-previews-'));
const products = new ProductStore(root);

async function spectraProduct(stepId: string, name: string): Promise<void> {
  await mkdir(products.dir(stepId), { recursive: true });
  const w = 120;
  const n = 10;
  const flux = Float32Array.from({ length: w * n }, (_, i) => 100 + (i % w) + 50 * Math.floor(i / w));
  await writeFits(products.file(stepId, name), [
    { kind: 'image', axes: [w, n], bitpix: -32, data: flux },
    { kind: 'image', extname: 'VARIANCE', axes: [w, n], bitpix: -32, data: flux },
    { kind: 'table', extname: 'FIBRES', columns: [{ name: 'NAME', tform: '8A', values: Array.from({ length: n }, (_, i) => `t${i}`) }, { name: 'TYPE', tform: '1A', values: Array(n).fill('P') }] },
  ]);
}

/** A logger that keeps its warnings (the hook reports a failed preview there and carries on). */
function capturingLog() {
  const warnings: unknown[] = [];
  const log = createLogger('silent');
  return { log: Object.assign(Object.create(log), { warn: (o: unknown) => warnings.push(o) }) as typeof log, warnings };
}

describe('preview publishing', () => {
  const good = 'aa'.repeat(16);
  const bad = 'bb'.repeat(16);

  beforeAll(async () => {
    await spectraProduct(good, '26sep10007red.fits');
    await mkdir(products.dir(bad), { recursive: true });
    writeFileSync(products.file(bad, 'broken.fits'), 'not FITS at all'.repeat(400));
    writeFileSync(products.file(bad, 'notes.txt'), 'a text product');
  });

  it('writes <stem>.png beside the product, once, where the DataLink lookup finds it', async () => {
    const file = await previewFor(products, good, '26sep10007red.fits');
    expect(file).toBe(path.join(products.dir(good), '26sep10007red.png'));
    const png = PNG.sync.read(readFileSync(file!));
    expect([png.width, png.height]).toEqual([1000, 760]);
    const mtime = statSync(file!).mtimeMs;
    // Concurrent and repeated requests reuse the one file.
    const again = await Promise.all([previewFor(products, good, '26sep10007red.fits'), previewFor(products, good, '26sep10007red.fits')]);
    expect(again).toEqual([file, file]);
    expect(statSync(file!).mtimeMs).toBe(mtime);
    const lookup = createFilePreviewLookup(root, 'http://drsoda.test');
    expect(await lookup({ stepId: good, fileName: '26sep10007red.fits' })).toEqual({
      url: `http://drsoda.test/files/products/${good}/26sep10007red.png`, size: statSync(file!).size,
    });
    expect(await previewFor(products, good, 'missing.fits')).toBeNull();
    expect(await previewFor(products, bad, 'notes.txt')).toBeNull();
  });

  it('makes the previews of a plan before publishing, and publishes even when one product is corrupt', async () => {
    const plan: Plan = fakePlan([{ name: 'x' }, { name: 'y' }], 'preview-hook');
    plan.steps[0] = { ...plan.steps[0], id: good, products: ['26sep10007red.fits'] };
    plan.steps[1] = { ...plan.steps[1], id: bad, products: ['broken.fits', 'notes.txt'] };
    const published: string[] = [];
    const { log, warnings } = capturingLog();
    const publish = withPreviews(async (jobId) => {
      // The preview exists by the time results are published (so a COMPLETED job's links show it).
      published.push(jobId, String(statSync(products.file(good, '26sep10007red.png')).isFile()));
      return [{ id: 'r', file: 'results/r', mimeType: 'application/fits' }];
    }, products, log);
    await expect(publish('job1', plan)).resolves.toEqual([{ id: 'r', file: 'results/r', mimeType: 'application/fits' }]);
    expect(published).toEqual(['job1', 'true']);
    expect(warnings).toEqual([expect.objectContaining({ stepId: bad, fileName: 'broken.fits', err: expect.stringMatching(/FITS/) })]);
    expect(await createFilePreviewLookup(root, 'http://x')({ stepId: bad, fileName: 'broken.fits' })).toBeNull();
  });
});
