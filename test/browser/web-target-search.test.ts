// "Start from the target" in headless Chromium against the real `drsoda serve` (demo night, reference reducer as
// local processes): search a target of the demo archive by name and by position, open its field with the fibre
// ticked, reduce just that fibre, and plot it; the fibre table, the field centre, the frames' grating and the FITS
// header page. Screenshots go to test-artifacts/browser/ (target-search-*).
import type { Page } from 'playwright-core';
import type { FrameWithFibresJson } from '../../src/domain/api-types.js';
import { openBrowser, type Browser } from './support/chromium.js';
import { checkPage as checkLayout, startDemoServer, type DemoServer } from './support/demo-server.js';

// Generous: a cold reduction on 2 shared cores takes tens of seconds, more when other suites run.
const T = 400_000;

let demo: DemoServer;
let base: string;
let browser: Browser;
let page: Page;
let target: { name: string; fibre: number; raDeg: number; decDeg: number; night: string; field: string };

beforeAll(async () => {
  demo = await startDemoServer('target-search');
  base = demo.base;
  // The target: the first named program fibre of the first object frame, as the archive index holds it.
  const frame = (await (await fetch(`${base}/api/frame?ID=${encodeURIComponent(demo.objectFrames[0])}`)).json()) as FrameWithFibresJson;
  const f = frame.fibres.find((x) => x.type === 'P' && x.name && x.raRad !== null)!;
  target = { name: f.name, fibre: f.fibre, raDeg: (f.raRad! * 180) / Math.PI, decDeg: (f.decRad! * 180) / Math.PI, night: frame.night, field: frame.field };
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, T);

const checkPage = () => checkLayout(page);

/** The same page at phone width too (layout is another change's; this only records it). */
async function shots(name: string): Promise<void> {
  await browser.shot(`target-search-${name}-1280`, true);
  await page.setViewportSize({ width: 390, height: 844 });
  await browser.shot(`target-search-${name}-390`, true);
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('start from the target', () => {
  it('finds a demo target by name from the header box, reduces just its fibre from the field page, and plots it', async () => {
    await page.goto(base);
    const box = page.getByRole('search').getByLabel('Object name or RA Dec');
    await box.fill(target.name.toLowerCase());
    await box.press('Enter');
    await page.waitForURL(/\/search\?target=/);
    const results = page.getByRole('table', { name: `Fibres matching ${target.name.toLowerCase()}` });
    await results.waitFor();
    const row = results.locator('tbody tr', { has: page.getByRole('rowheader', { name: target.name, exact: true }) }).filter({ hasText: target.field });
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining([target.night, String(target.fibre), 'target']));
    await page.getByRole('status').filter({ hasText: /^\d+ fibres? in \d+ fields? on \d+ night/ }).waitFor();
    await checkPage();
    await shots('search-name');

    await row.getByRole('link', { name: new RegExp(`^${target.field}`) }).click();
    await page.getByRole('heading', { name: `Field ${target.field}` }).waitFor();
    const fibres = page.getByRole('table', { name: `Fibres of field ${target.field}` });
    await fibres.waitFor();
    expect(await fibres.getByLabel(`Tick fibre ${target.fibre} (${target.name})`).isChecked()).toBe(true);
    await page.getByText(`1 fibre ticked: ${target.name}`).waitFor();
    await checkPage();
    await shots('field-fibres');

    await page.getByLabel('Arms').selectOption('blue');
    await page.getByRole('button', { name: 'Reduce this fibre' }).click();
    await page.waitForURL(/\/jobs\/[\w-]+$/);
    const jobId = page.url().split('/').pop()!;
    // The request the page built: the field, one small CIRCLE on the fibre, the blue arm.
    const params = await (await fetch(`${base}/soda/async/${jobId}/parameters`)).text();
    const circle = /<uws:parameter id="CIRCLE"[^>]*>([^<]+)</.exec(params)![1].split(' ').map(Number);
    expect(circle[0]).toBeCloseTo(target.raDeg, 5);
    expect(circle[1]).toBeCloseTo(target.decDeg, 5);
    expect(circle[2]).toBeLessThan(0.001);
    expect(params).toMatch(/<uws:parameter id="ARMS"[^>]*>blue</);
    await page.locator('h1 .badge', { hasText: /^(COMPLETED|ERROR)$/ }).waitFor({ timeout: 300_000 });
    expect(await page.locator('h1 .badge').textContent()).toBe('COMPLETED');

    await page.getByRole('button', { name: /^Plot .*combined/ }).click();
    const plot = page.getByRole('region', { name: /Spectrum plot/ });
    await plot.locator('.plot-box canvas').first().waitFor();
    // The cut holds just the ticked fibre, and it is the one plotted.
    await plot.getByText(new RegExp(`^Showing fibre \\d+ ${target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(P\\) of 1\\.`)).waitFor();
    await shots('fibre-plot');
  }, T);

  it('finds the same fibre by position (degrees, then sexagesimal), nearest first with its distance', async () => {
    const ra = target.raDeg.toFixed(6);
    const dec = target.decDeg.toFixed(6);
    await page.goto(`${base}/search?target=${encodeURIComponent(`${ra} ${dec}`)}&radius=5`);
    const results = page.getByRole('table', { name: /^Fibres matching/ });
    await results.waitFor();
    const first = results.locator('tbody tr').first();
    expect(await first.getByRole('rowheader').textContent()).toBe(target.name);
    expect(Number((await first.locator('td').nth(4).textContent())!.replace('″', ''))).toBeLessThan(0.1);
    // The form keeps the query and can change it: the same place written sexagesimally.
    const form = page.getByRole('search');
    expect(await form.getByLabel('Radius (arcsec)').inputValue()).toBe('5');
    const sexa = (v: number, div: number, sign: boolean) => {
      const a = Math.abs(v) / div;
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      const s = ((a - d) * 60 - m) * 60;
      return `${sign ? (v < 0 ? '-' : '+') : ''}${String(d).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(2).padStart(5, '0')}`;
    };
    await form.getByLabel('Object name or RA Dec').fill(`${sexa(target.raDeg, 15, false)} ${sexa(target.decDeg, 1, true)}`);
    await form.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/target=\d\d%3A/);
    await page.getByRole('table', { name: /^Fibres matching \d\d:/ }).waitFor();
    expect(await page.getByRole('table', { name: /^Fibres matching/ }).locator('tbody tr').first().getByRole('rowheader').textContent()).toBe(target.name);
    await form.getByLabel('Object name or RA Dec').fill('no such object anywhere');
    await form.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No fibre matches no such object anywhere.').waitFor();
    await checkPage();
    await shots('search-none');
  }, T);

  it('shows field centres, the frames\' grating and central wavelength, and a frame\'s FITS header', async () => {
    await page.goto(`${base}/nights/${target.night}`);
    const fields = page.getByRole('table', { name: `Fields observed on ${target.night}` });
    await fields.waitFor();
    expect(await fields.locator('thead th').allTextContents()).toContain('RA, Dec');
    expect(await fields.locator('tbody tr').first().locator('td').nth(2).textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d\d [+-]\d\d:\d\d:\d\d\.\d$/);
    const frames = page.getByRole('table', { name: `Frames of ${target.night}` });
    expect(await frames.locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['Grating', 'λc (Å)', 'Airmass', 'Seeing']));
    expect(await frames.locator('tbody tr').first().locator('td').nth(8).textContent()).toMatch(/^(580V|385R)$/);
    // The simulator writes ZDSTART as the AAT does: every frame shows its airmass; 2dF headers have no seeing.
    const airmass = await frames.locator('tbody tr td:nth-child(11)').allTextContents();
    expect(airmass.length).toBeGreaterThan(10);
    for (const a of airmass) expect(a).toMatch(/^[1-3]\.\d\d$/);
    expect(new Set(await frames.locator('tbody tr td:nth-child(12)').allTextContents())).toEqual(new Set(['']));
    await checkPage();
    await frames.getByRole('link', { name: /^header of / }).first().click();
    await page.getByRole('heading', { name: /^FITS header of .*\.fits$/ }).waitFor();
    const primary = page.getByRole('table', { name: 'Header of HDU 0 (PRIMARY)' });
    await primary.getByRole('rowheader', { name: 'GRATID' }).waitFor();
    // The page's URL (the DID encoded in one segment) is served as the app on reload too.
    await page.reload();
    await primary.getByRole('rowheader', { name: 'GRATID' }).waitFor();
    await page.getByLabel('Keyword or text').fill('lambdac');
    expect(await primary.locator('tbody tr').count()).toBe(1);
    await checkPage();
    await shots('frame-header');
  }, T);
});
