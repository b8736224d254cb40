// The front end in headless Chromium against the real `drsoda serve` (demo night, reference reducer as local
// processes): browse the night, reduce a field from the Reduce dialog, watch the job complete live, look at the
// quick-looks, plot the spectra and download a result. Screenshots go to test-artifacts/browser/.
import { readFileSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openBrowser, waitUntil, type Browser } from './support/chromium.js';
import { checkPage as checkLayout, startDemoServer, type DemoServer } from './support/demo-server.js';

// Generous per-test timeouts: a cold reduction on 2 shared cores takes tens of seconds.
const T = 240_000;

let demo: DemoServer;
let base: string;
let night: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  demo = await startDemoServer('web');
  base = demo.base;
  night = demo.night;
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, T);

const checkPage = () => checkLayout(page);

const pendingJobs = async () => (await (await fetch(`${base}/soda/async?PHASE=PENDING`)).text()).match(/<uws:jobref /g)?.length ?? 0;

describe('drsoda in the browser', () => {
  let fieldName: string;
  let jobUrl: string;

  it('browses the demo night: nights, then fields with their targets, then a field', async () => {
    await page.goto(base);
    await page.getByRole('link', { name: night }).waitFor();
    await checkPage();
    await browser.shot('01-nights');
    await page.getByRole('link', { name: night }).click();
    const fields = page.getByRole('table', { name: `Fields observed on ${night}` });
    await fields.waitFor();
    // Target counts come from /api/frame (one request per field): wait for the first to arrive.
    await waitUntil(page, `/^\\d+$/.test(document.querySelector('table tbody tr td.num:nth-last-child(2)')?.textContent ?? '')`);
    fieldName = (await fields.locator('tbody th a').first().textContent())!;
    expect(await page.getByRole('table', { name: `Frames of ${night}` }).locator('tbody tr').count()).toBeGreaterThan(10);
    await checkPage();
    await browser.shot('02-night', true);
    await fields.getByRole('link', { name: fieldName }).click();
    await page.getByRole('heading', { name: `Field ${fieldName}` }).waitFor();
    await page.getByText(/\d+ targets, \d+ sky fibres/).waitFor();
    await checkPage();
    await browser.shot('03-field', true);
  }, T);

  it('opens the Reduce dialog by keyboard, built from the DataLink descriptor; Escape closes it and removes an unsubmitted plan', async () => {
    await page.getByRole('button', { name: 'Reduce this field…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reduce with 2dFdr' });
    await dialog.getByLabel('ARMS').waitFor();
    // Options, defaults and allowed values as the #proc descriptor declares them.
    expect(await dialog.getByLabel('ARMS').locator('option').allTextContents()).toEqual(['blue', 'red', 'both (default)']);
    expect(await dialog.getByLabel('COMBINE').isChecked()).toBe(true);
    expect(await dialog.getByRole('group', { name: /BAND/ }).getByLabel('from').getAttribute('placeholder')).toMatch(/^3\d\d(\.\d+)?$/);
    expect(await page.evaluate<boolean>("!!document.activeElement?.closest('dialog')")).toBe(true);
    await dialog.getByRole('button', { name: 'Show plan' }).click();
    await dialog.getByRole('table', { name: 'Planned steps' }).waitFor();
    expect(await pendingJobs()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    for (let i = 0; i < 50 && (await pendingJobs()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await pendingJobs()).toBe(0);
  }, T);

  it('plans and submits a reduction of the field (blue arm, 420-560 nm), and watches it complete without reloading', async () => {
    await page.getByRole('button', { name: 'Reduce this field…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reduce with 2dFdr' });
    await dialog.getByLabel('ARMS').selectOption('blue');
    const band = dialog.getByRole('group', { name: /BAND/ });
    await band.getByLabel('from').fill('420');
    await band.getByLabel('to').fill('560');
    await dialog.getByLabel('Job name (RUNID, optional)').fill('browser test');
    await dialog.getByRole('button', { name: 'Show plan' }).click();
    const plan = dialog.getByRole('table', { name: 'Planned steps' });
    await plan.waitFor();
    const ops = await plan.locator('tbody td:nth-child(2)').allTextContents();
    expect(ops).toEqual(expect.arrayContaining(['reduce_bias', 'make_tlm', 'reduce_arc', 'reduce_fflat', 'reduce_object', 'combine_spectra']));
    expect(ops.join()).not.toMatch(/splice/); // one arm: nothing to splice
    await checkPage();
    await browser.shot('04-reduce-dialog');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/\/jobs\/[\w-]+$/);
    jobUrl = page.url();
    // Record every phase the page shows, to prove it follows the job live (blocking WAIT) rather than by reload.
    await page.evaluate(`(() => {
      window.phases = [];
      const note = () => {
        const t = document.querySelector('h1 .badge')?.textContent;
        if (t && window.phases[window.phases.length - 1] !== t) window.phases.push(t);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
      note();
    })()`);
    await page.locator('svg.dag .node').first().waitFor();
    await browser.shot('05-job-running');
    await page.locator('h1 .badge', { hasText: /^(COMPLETED|ERROR)$/ }).waitFor({ timeout: 180_000 });
    const phases = await page.evaluate<string[]>('window.phases');
    expect(phases[phases.length - 1]).toBe('COMPLETED');
    expect(phases.length).toBeGreaterThan(1);
    expect(await page.evaluate<number>("performance.getEntriesByType('navigation').length")).toBe(1);
    expect(page.url()).toBe(jobUrl);
    // Every step done, in the table and the graph; the parameters are what the dialog changed from the defaults.
    const states = await page.locator('table.steps tbody td .badge').allTextContents();
    expect(states.length).toBeGreaterThan(5);
    expect(new Set(states)).toEqual(new Set(['done']));
    expect(await page.locator('svg.dag .node.state-done').count()).toBe(states.length);
    const params = await page.locator('.params li').allTextContents();
    expect(params.map((p) => p.split(' = ')[0]).sort()).toEqual(['ARMS', 'BAND', 'ID', 'RUNID']);
    expect(params).toContain('BAND = 4.2e-7 5.6e-7');
    await page.getByRole('heading', { name: /^browser test/ }).waitFor();
  }, T);

  it('shows the quick-look PNGs of the products as images', async () => {
    const imgs = page.locator('.previews img');
    // The quick-looks load lazily, as they come near the window: below the job's provenance they start out of range.
    await page.locator('.previews').scrollIntoViewIfNeeded();
    await imgs.first().waitFor();
    await waitUntil(page, `Array.from(document.querySelectorAll('.previews img')).every((i) => i.complete && i.naturalWidth > 0)`);
    const sizes = await page.evaluate<number[][]>(`Array.from(document.querySelectorAll('.previews img')).map((i) => [i.naturalWidth, i.naturalHeight])`);
    // The two object frames and their combination, each 1000 x 760 (frame image + spectra).
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const s of sizes) expect(s).toEqual([1000, 760]);
    // The same PNGs are the products' #preview links in DataLink.
    const steps = (await (await fetch(`${jobUrl.replace('/jobs/', '/soda/async/')}/steps`)).json()) as { steps: Array<{ id: string; operation: string; products: Array<{ fileName: string; preview: string | null }> }> };
    const combine = steps.steps.find((x) => x.operation === 'combine_spectra')!;
    const did = `ivo://drsoda.example.org/products?${combine.id}/${combine.products[0].fileName}`;
    const links = await (await fetch(`${base}/soda/links?ID=${encodeURIComponent(did)}`)).text();
    expect(links).toContain(`<TD>${combine.products[0].preview}</TD>`);
    expect(links).toMatch(/<TD>#preview<\/TD><TD>image\/png<\/TD>/);
    const png = await fetch(combine.products[0].preview!);
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    await checkPage();
    await browser.shot('06-job-completed', true);
  }, T);

  it('plots a result: fibre by number, wavelength zoom, sky and variance toggles', async () => {
    await page.getByRole('button', { name: /^Plot .*combined/ }).click();
    const plot = page.getByRole('region', { name: /Spectrum plot/ });
    await plot.locator('.plot-box canvas').first().waitFor();
    await plot.getByText(/^Showing fibre \d+/).waitFor();
    // The result was cut to BAND 420-560 nm: the plotted range lies inside it (half a pixel of slack).
    const lo = Number(await plot.getByLabel('From').inputValue());
    const hi = Number(await plot.getByLabel('to').inputValue());
    expect(lo).toBeGreaterThanOrEqual(4190);
    expect(hi).toBeLessThanOrEqual(5610);
    expect(hi - lo).toBeGreaterThan(1000);
    await plot.getByLabel('Fibre (number or name)').fill('5');
    await plot.getByText(/^Showing fibre 5 /).waitFor();
    await plot.getByLabel('From').fill('4800');
    await plot.getByLabel('to').fill('5000');
    await plot.getByLabel('to').press('Enter');
    await waitUntil(page, `document.querySelector('input[name=lo]')?.value === '4800.0'`);
    await plot.getByLabel('Sky').check();
    await plot.getByLabel(/variance/).uncheck();
    await checkPage();
    await browser.shot('07-plot', true);
    await plot.getByRole('button', { name: 'Reset zoom' }).click();
    await waitUntil(page, `Number(document.querySelector('input[name=lo]')?.value) < ${lo + 1}`);
  }, T);

  it('downloads a result as the FITS file the job list announces', async () => {
    const row = page.getByRole('table', { name: 'Results' }).locator('tbody tr', { hasText: 'combined.fits' });
    const size = await row.locator('td.num').textContent();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /^Download/ }).click()]);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 30).toString('latin1')).toMatch(/^SIMPLE  =\s+T/);
    expect(download.suggestedFilename()).toMatch(/combined\.fits$/);
    const kib = statSync(file).size / 1024;
    expect(size).toBe(`${kib.toFixed(kib < 10 ? 1 : 0)} KiB`);
  }, T);

  it('lists the job on the jobs page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.waitFor();
    await table.getByRole('link', { name: jobUrl.split('/').pop()! }).waitFor();
    expect(await table.locator('tbody tr', { hasText: 'browser test' }).locator('.badge').textContent()).toBe('COMPLETED');
    await checkPage();
    await browser.shot('08-jobs');
  }, T);
});
