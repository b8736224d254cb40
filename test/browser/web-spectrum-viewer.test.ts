// The spectrum viewer in headless Chromium against the real `drsoda serve` (demo night, reference reducer as
// local processes), on one job that reduces a whole field with both arms (blue, red, spliced): the plot redraws
// and rescales for each fibre (issue 21, finding 1), and the viewer's features. Screenshots: test-artifacts/browser/.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readHeaders, readImage } from '../../src/fits/index.js';
import { projectRoot } from '../support/process.js';
import { openBrowser, waitUntil, type Browser } from './support/chromium.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

const T = 300_000;

let demo: DemoServer;
let base: string;
let browser: Browser;
let page: Page;
let jobId: string;
let night: string;

/** Reduces the demo night's first field with both arms over HTTP and waits (blocking WAIT) until it completes. */
async function reduceField(night: string, extra: Record<string, string> = {}): Promise<string> {
  const frames = (await (await fetch(`${base}/api/frames?night=${night}&limit=1000`)).json()) as { frames: Array<{ fieldId: string | null }> };
  const fieldId = frames.frames.find((f) => f.fieldId)!.fieldId!;
  const res = await fetch(`${base}/soda/async`, {
    method: 'POST',
    body: new URLSearchParams({ ID: fieldId, ARMS: 'both', RUNID: 'viewer test', PHASE: 'RUN', ...extra }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const url = res.headers.get('location')!;
  const deadline = Date.now() + 240_000;
  for (;;) {
    const xml = await (await fetch(`${url}?WAIT=30&PHASE=EXECUTING`)).text();
    const phase = /<uws:phase>(\w+)<\/uws:phase>/.exec(xml)![1];
    if (phase === 'COMPLETED') break;
    if (!['PENDING', 'QUEUED', 'EXECUTING'].includes(phase) || Date.now() > deadline) throw new Error(`the reduction ended ${phase}`);
    if (phase !== 'EXECUTING') await new Promise((r) => setTimeout(r, 500));
  }
  return url.split('/').pop()!;
}

beforeAll(async () => {
  demo = await startDemoServer('viewer');
  base = demo.base;
  night = demo.night;
  jobId = await reduceField(night);
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, T);

interface Drawn {
  /** A hash (FNV-1a) of the canvas pixels: equal hashes mean (all but certainly) identical pixels. */
  png: number;
  width: number;
  height: number;
  /** Rows (top, bottom) of the pixels drawn in the first trace's colour (#1f6fb4), or null when there are none. */
  rows: [number, number] | null;
}

/** What uPlot drew on the plot's canvas, read back from the page. */
function drawn(): Promise<Drawn> {
  return page.evaluate<Drawn>(`(() => {
    const c = document.querySelector('.plot-box canvas');
    const g = c.getContext('2d');
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let top = -1, bottom = -1, h = 2166136261;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619) >>> 0;
    for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      if (Math.abs(d[i] - 31) + Math.abs(d[i + 1] - 111) + Math.abs(d[i + 2] - 180) < 40 && d[i + 3] > 200) {
        if (top < 0) top = y;
        bottom = y;
      }
    }
    return { png: h, width: c.width, height: c.height, rows: top < 0 ? null : [top, bottom] };
  })()`);
}

/** Waits two animation frames, so a redraw uPlot scheduled has happened. */
const settle = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

const until = (expr: string, timeoutMs?: number) => waitUntil(page, expr, timeoutMs);

describe('the spectrum viewer', () => {
  it('draws the fibre it names: another fibre redraws and rescales the line, also after a resize (issue 21, finding 1)', async () => {
    await page.goto(`${base}/jobs/${jobId}`);
    await page.getByRole('button', { name: /^Plot .*spliced/ }).first().click();
    const plot = page.getByRole('region', { name: /Spectrum plot/ });
    // The first load downloads and reads the whole 2 MiB result: slow on a busy machine.
    await plot.locator('.plot-box canvas').first().waitFor({ timeout: 120_000 });
    await plot.getByText(/^Showing fibre \d+/).waitFor();
    await settle();
    // The first fibre shown is the brightest target; a sky fibre (after sky subtraction, near zero) is very different.
    const options = await page.locator('#fibre-list option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    const sky = options.find((o) => /\(S\)$/.test(o))!;
    const skyNo = /^\d+/.exec(sky)![0];
    const a = await drawn();
    expect(a.rows).not.toBeNull();
    await plot.getByLabel('Fibre (number or name)').fill(skyNo);
    await plot.getByText(new RegExp(`^Showing fibre ${skyNo} `)).waitFor();
    await settle();
    const b = await drawn();
    expect(b.png).not.toBe(a.png);
    // Rescaled to the sky fibre: its line spans a good part of the plot's height, not a flat line at one edge.
    expect(b.rows).not.toBeNull();
    expect(b.rows![1] - b.rows![0]).toBeGreaterThan(0.3 * b.height);
    await page.setViewportSize({ width: 1100, height: 800 });
    await until(`document.querySelector('.plot-box canvas').width !== ${b.width}`);
    await settle();
    const c = await drawn();
    expect(c.rows).not.toBeNull();
    expect(c.rows![1] - c.rows![0]).toBeGreaterThan(0.3 * c.height);
    await browser.shot('spectrum-viewer-01-fibre-switch', true);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, T);

  const plot = () => page.getByRole('region', { name: /Spectrum plot/ });
  const scales = () =>
    page.evaluate<{ xMin: number; xMax: number; yMin: number; yMax: number }>(
      `(() => { const d = document.querySelector('.plot-box').dataset; return { xMin: +d.xMin, xMax: +d.xMax, yMin: +d.yMin, yMax: +d.yMax }; })()`,
    );
  /** Pixels of the canvas within 40 (summed RGB distance) of a colour. */
  const pixelsOf = (rgb: [number, number, number]) =>
    page.evaluate<number>(`(() => {
      const c = document.querySelector('.plot-box canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - ${rgb[0]}) + Math.abs(d[i + 1] - ${rgb[1]}) + Math.abs(d[i + 2] - ${rgb[2]}) < 40 && d[i + 3] > 200) n++;
      return n;
    })()`);
  const showing = async () => Number(/^Showing fibre (\d+)/.exec((await plot().getByText(/^Showing fibre/).textContent())!)![1]);

  it('overplots blue, red and spliced results and several fibres on one wavelength axis', async () => {
    const spliced = await scales();
    const sources = plot().getByRole('group', { name: 'Results overplotted' });
    const boxes = sources.getByRole('checkbox');
    const names = await sources.locator('label').allTextContents();
    expect(names.some((n) => /combined/.test(n))).toBe(true);
    for (let i = 0; i < names.length; i++) if (/combined/.test(names[i])) await boxes.nth(i).check();
    const fibre = await showing();
    // Each combined result has the fibre too: one curve per result.
    await plot().getByText(new RegExp(`^Showing fibre ${fibre} .*, 3 curves`)).waitFor();
    await plot().getByRole('button', { name: 'Keep this fibre' }).click();
    // Another target (a guide or unused fibre next door would draw nothing).
    const options = await page.locator('#fibre-list option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    const other = options.find((o) => /\(P\)$/.test(o) && !o.startsWith(`${fibre} `))!;
    await plot().getByLabel('Fibre (number or name)').fill(/^\d+/.exec(other)![0]);
    // The kept fibre's three curves and the next fibre's (in each result that has it).
    await plot().getByText(/, [4-6] curves/).waitFor();
    await settle();
    const both = await scales();
    // The spliced file spans both arms; the arms' own grids lie inside it.
    expect(both.xMin).toBeLessThanOrEqual(spliced.xMin + 1);
    expect(both.xMax).toBeGreaterThanOrEqual(spliced.xMax - 1);
    expect(await plot().getByRole('button', { name: `Remove fibre ${fibre}` }).count()).toBe(1);
    // uPlot's legend names every curve: both fibres of each result.
    const legend = (await page.locator('.plot-box .u-legend .u-series th').allTextContents()).join('\n');
    for (const arm of ['spliced', 'blue', 'red']) expect(legend).toContain(`${arm} ${fibre} `);
    expect(legend).toContain(`spliced ${/^\d+/.exec(other)![0]} `);
    await browser.shot('spectrum-viewer-02-overplot', true);
    await plot().getByRole('button', { name: `Remove fibre ${fibre}` }).click();
    for (let i = 0; i < names.length; i++) if (/combined/.test(names[i])) await boxes.nth(i).uncheck();
    await plot().getByText(/^Showing fibre \d+ [^,]*\. Drag/).waitFor();
  }, T);

  it('shows the sky and the ±1σ band, smooths, and zooms in flux', async () => {
    await settle();
    const grey = await pixelsOf([138, 138, 138]);
    await plot().getByLabel('Sky').check();
    await plot().getByText(/, 2 curves/).waitFor();
    await settle();
    // The sky's grey dashed line is drawn, and named in the legend.
    expect(await pixelsOf([138, 138, 138])).toBeGreaterThan(grey);
    expect(await page.locator('.plot-box .u-legend .u-series th').allTextContents()).toContain('spliced sky');
    await settle();
    const raw = await scales();
    await plot().getByLabel('Smoothing').selectOption('25');
    await until(`document.querySelector('.plot-box').dataset.yMax !== '${raw.yMax}' || document.querySelector('.plot-box').dataset.yMin !== '${raw.yMin}'`);
    const smooth = await scales();
    // A 25-pixel boxcar cannot reach further than the raw values.
    expect(smooth.yMax).toBeLessThanOrEqual(raw.yMax);
    expect(smooth.yMin).toBeGreaterThanOrEqual(raw.yMin);
    await plot().getByLabel('Flux min').fill('-5');
    await plot().getByLabel('Flux max').fill('42');
    await plot().getByRole('button', { name: 'Set flux range' }).click();
    await until(`document.querySelector('.plot-box').dataset.yMax === '42'`);
    expect((await scales()).yMin).toBe(-5);
    await browser.shot('spectrum-viewer-03-sky-smooth-yzoom', true);
    await plot().getByRole('button', { name: 'Fit flux' }).click();
    await until(`document.querySelector('.plot-box').dataset.yMax !== '42'`);
    // Dragging up or down zooms in flux; dragging across zooms in wavelength.
    const over = (await plot().locator('.plot-box .u-over').boundingBox())!;
    const fit = await scales();
    await page.mouse.move(over.x + over.width / 2, over.y + over.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width / 2 + 3, over.y + over.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await until(`document.querySelector('.plot-box').dataset.yMax !== '${fit.yMax}'`);
    const yz = await scales();
    expect([yz.yMax < fit.yMax, yz.yMin > fit.yMin, yz.xMin === fit.xMin]).toEqual([true, true, true]);
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2 + 3, { steps: 5 });
    await page.mouse.up();
    await until(`document.querySelector('.plot-box').dataset.xMin !== '${fit.xMin}'`);
    const xz = await scales();
    expect(xz.xMin).toBeGreaterThan(fit.xMin);
    expect(xz.xMax).toBeLessThan(fit.xMax);
    await plot().getByRole('button', { name: 'Reset zoom' }).click();
    await plot().getByRole('button', { name: 'Fit flux' }).click();
    await plot().getByLabel('Smoothing').selectOption('1');
    await plot().getByLabel('Sky').uncheck();
  }, T);

  it('marks common lines at (1+z) times their rest wavelength', async () => {
    await settle();
    expect(await pixelsOf([194, 65, 12])).toBe(0);
    const z = 0.05;
    await plot().getByLabel('Redshift z').fill(String(z));
    await plot().getByLabel('Line markers').check();
    const list = (await plot().locator('.line-list').textContent())!;
    expect(list).toContain(`Hα ${(6562.8 * (1 + z)).toFixed(1)}`);
    expect(list).toContain(`[OIII] ${(5006.84 * (1 + z)).toFixed(1)}`);
    expect(list).toContain(`Ca K ${(3933.66 * (1 + z)).toFixed(1)}`);
    await settle();
    // Emission-line markers (orange) are drawn where they fall inside the plotted range.
    expect(await pixelsOf([194, 65, 12])).toBeGreaterThan(20);
    await browser.shot('spectrum-viewer-04-lines', true);
    await plot().getByLabel('Line markers').uncheck();
  }, T);

  it('plots the fibre clicked on the quick-look image and on the sky map', async () => {
    const img = plot().locator('.quicklook-picker img');
    await img.waitFor();
    await until(`(() => { const i = document.querySelector('.quicklook-picker img'); return i && i.complete && i.naturalWidth === 1000; })()`);
    const rows = await page.locator('#fibre-list option').count();
    const target = 123;
    const box = (await img.boundingBox())!;
    const k = box.width / 1000;
    const before = await plot().getByText(/^Showing fibre/).textContent();
    await img.click({ position: { x: 500 * k, y: (50 + ((target - 0.5) / rows) * 240) * k } });
    await until(
      `document.querySelector('.viewer [role=status]')?.textContent !== ${JSON.stringify(before)} || !!document.querySelector('.viewer p[role=alert]')`,
      20_000,
    ).catch(() => null); // the assertion below says what the page shows
    const after = `${await plot().getByText(/^Showing fibre/).textContent()} ${await plot().locator('p[role=alert]').allTextContents()}`;
    // A fibre is 0.6 px of the 1000-px quick-look (400 fibres in a 240-px panel), shown here at about 2/3 scale:
    // a click names the fibre under it to within a neighbour or two.
    const picked = Number(/^Showing fibre (\d+) /.exec(after)?.[1]);
    expect(Math.abs(picked - target)).toBeLessThanOrEqual(2);
    const dot = plot().locator('.fibre-map circle[data-fibre]').nth(7);
    const mapped = Number(await dot.getAttribute('data-fibre'));
    await dot.click();
    await plot().getByText(new RegExp(`^Showing fibre ${mapped} `)).waitFor();
    expect(await plot().locator(`.fibre-map circle.current`).getAttribute('data-fibre')).toBe(String(mapped));
    await browser.shot('spectrum-viewer-06-pickers', true);
  }, T);

  it('exports the plotted fibre as CSV and as a valid FITS table with the values of the result', async () => {
    const fibre = await showing();
    const [csvDl] = await Promise.all([page.waitForEvent('download'), plot().getByRole('button', { name: 'Download CSV' }).click()]);
    const [fitsDl] = await Promise.all([page.waitForEvent('download'), plot().getByRole('button', { name: 'Download FITS' }).click()]);
    expect(csvDl.suggestedFilename()).toMatch(new RegExp(`spliced_fibre${fibre}\\.csv$`));
    const csv = readFileSync(await csvDl.path(), 'utf8').trim().split('\n');
    const head = csv.findIndex((l) => !l.startsWith('#'));
    expect(csv[head]).toBe('wavelength,flux,variance,sky');
    const rows = csv.slice(head + 1).map((l) => l.split(',').map((v) => (v === '' ? NaN : Number(v))));
    // The result itself, read by the service's own FITS reader: the fibre's row of the primary image.
    const results = (await (await fetch(`${base}/soda/async/${jobId}/results`)).text()).match(/xlink:href="([^"]+spliced[^"]*\.fits)"/)!;
    const file = path.join(demo.dataDir, 'spliced-result.fits');
    writeFileSync(file, Buffer.from(await (await fetch(results[1])).arrayBuffer()));
    const hdus = await readHeaders(file);
    const img = await readImage(file, hdus[0]);
    const row = Array.from(img.data.subarray((fibre - 1) * img.width, fibre * img.width));
    expect(rows.length).toBe(img.width);
    const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
    expect(rows.every((r, i) => same(r[1], row[i]))).toBe(true);
    // astropy opens the FITS file strictly (verify='exception') and reads the same values.
    const fitsFile = await fitsDl.path();
    const py = `import json, sys
from astropy.io import fits
with fits.open(sys.argv[1]) as h:
    h.verify('exception')
    t = h['SPECTRUM'].data
    print(json.dumps({'names': list(t.names), 'units': [c.unit for c in h['SPECTRUM'].columns], 'fibre': h[0].header['FIBRE'],
        'flux': [None if v != v else float(v) for v in t['FLUX']], 'wave': [float(v) for v in t['WAVELENGTH']]}))`;
    const got = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, fitsFile], { encoding: 'utf8', timeout: 60_000 })) as {
      names: string[]; units: Array<string | null>; fibre: number; flux: Array<number | null>; wave: number[];
    };
    expect(got.names).toEqual(['WAVELENGTH', 'FLUX', 'VARIANCE', 'SKY']);
    expect(got.units[0]).toMatch(/^Angstrom/);
    expect(got.fibre).toBe(fibre);
    expect(got.flux.length).toBe(img.width);
    expect(got.flux.every((v, i) => same(v ?? NaN, row[i]))).toBe(true);
    expect(got.wave.every((v, i) => Math.abs(v - rows[i][0]) < 1e-6)).toBe(true);
  }, T);

  it('sends the fibre and the whole result to a desktop tool through a SAMP Web Profile hub', async () => {
    const hub = spawn('/usr/bin/python3', [path.join(projectRoot, 'test/browser/support/samp_hub.py'), path.join(demo.dataDir, 'samp-lock')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const events: Array<Record<string, unknown>> = [];
    let out = '';
    hub.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        const line = out.slice(0, i).trim();
        out = out.slice(i + 1);
        if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    const until = async (test: () => boolean, what: string) => {
      for (const deadline = Date.now() + 90_000; !test(); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; hub events: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until(() => events.some((e) => e.event === 'ready'), 'the SAMP hub');
      const fibre = await showing();
      await plot().getByRole('button', { name: 'Send spectrum (SAMP)' }).click();
      await until(() => events.some((e) => e.event === 'received'), 'the spectrum');
      const got = events.find((e) => e.event === 'received')!;
      expect(events.find((e) => e.event === 'approved')!.name).toBe('drsoda');
      expect(got.error).toBeUndefined();
      expect([got.mtype, got.status, got.format, got.rows]).toEqual(['table.load.votable', 200, 'votable', 1]);
      expect((got.first as { id: number }).id).toBe(fibre);
      expect(String(got.url)).toMatch(new RegExp(`^${base}/soda/sync\\?`));
      await plot().getByText('Sent ').waitFor();
      expect(await plot().locator('.viewer-actions [role=status]').textContent()).toMatch(/to drsoda test receiver\.$/);
      await plot().getByRole('button', { name: 'Send table (SAMP)' }).click();
      await until(() => events.filter((e) => e.event === 'received').length === 2, 'the table');
      const table = events.filter((e) => e.event === 'received')[1];
      expect(table.error).toBeUndefined();
      expect(table.rows).toBe(await page.locator('#fibre-list option').count());
      await browser.shot('spectrum-viewer-07-samp', true);
    } finally {
      hub.kill('SIGTERM');
      await new Promise((r) => (hub.exitCode === null ? hub.once('exit', r) : r(null)));
    }
  }, T);
  it('takes the flux unit from the product: none in the FITS header; the VOTable flux FIELD says ct', async () => {
    await plot().getByText('Flux unit (from the product): none given (no BUNIT in the header)').waitFor();
    // The same reduction (its steps are cached) answered as VOTables, cut to a narrow band to keep them small.
    const votJob = await reduceField(night, { RESPONSEFORMAT: 'application/x-votable+xml', BAND: '5.0e-7 5.1e-7', RUNID: 'viewer votable' });
    await page.goto(`${base}/jobs/${votJob}`);
    await page.getByRole('button', { name: /^Plot .*spliced/ }).first().click();
    await plot().getByText('Flux unit (from the product): ct').waitFor({ timeout: 120_000 });
    await browser.shot('spectrum-viewer-08-votable-unit');
  }, T);
});
