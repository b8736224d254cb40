// Issue 21 findings 3, 4, 6 and part of 8 in headless Chromium against the real `drsoda serve` (demo night,
// reference reducer as local processes): the Reduce dialog's two-box inputs keep what was typed and speak nm and
// UTC, its labels are 2dFdr's, Show plan and Submit share one validation, a one-arm SPLICE is not silently dropped,
// the datasets are exactly the ones chosen; per-route titles, "no such night/field" pages, focus back to the opener,
// download progress of a plot; and every page at 390 px and 1280 px no wider than the window (screenshots of each
// under test-artifacts/browser/forms-layout-*).
import type { Locator, Page } from 'playwright-core';
import { openBrowser, unlabelledControls, waitUntil, type Browser } from './support/chromium.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

// Generous: a cold reduction on 2 shared cores takes tens of seconds.
const T = 300_000;

let demo: DemoServer;
let base: string;
let night: string;
let field: string;
/** An object frame's DID and a named target of it (for the search and FITS header pages). */
let frameId: string;
let target: string;
let jobUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  demo = await startDemoServer('wfixes');
  base = demo.base;
  night = demo.night;
  const frames = (await (await fetch(`${base}/api/frames?night=${night}&class=MFOBJECT`)).json()) as { frames: Array<{ field: string }> };
  field = frames.frames[0].field;
  frameId = demo.objectFrames[0];
  const fibres = ((await (await fetch(`${base}/api/frame?ID=${encodeURIComponent(frameId)}`)).json()) as { fibres: Array<{ type: string; name: string }> }).fibres;
  target = fibres.find((f) => f.type === 'P' && f.name)!.name;
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, T);

const until = (expr: string, timeoutMs?: number) => waitUntil(page, expr, timeoutMs);

const pendingJobs = async () => (await (await fetch(`${base}/soda/async?PHASE=PENDING`)).text()).match(/<uws:jobref /g)?.length ?? 0;
const fits = (p: Page) => p.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
const dialog = () => page.getByRole('dialog', { name: 'Reduce with 2dFdr' });
const band = () => dialog().getByRole('group', { name: /BAND/ });

async function openFieldDialog(): Promise<Locator> {
  await page.goto(`${base}/nights/${night}/fields/${field}`);
  await page.getByText(/\d+ targets, \d+ sky fibres/).waitFor();
  await page.getByRole('button', { name: 'Reduce this field…' }).click();
  await dialog().getByLabel('ARMS').waitFor();
  return dialog();
}

/** Waits until the PENDING plan jobs are gone (the dialog deletes an unsubmitted plan when it closes). */
async function noPendingJobs(): Promise<number> {
  for (let i = 0; i < 100 && (await pendingJobs()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return pendingJobs();
}

describe('issue 21 findings 3, 4, 6, 8 in the browser', () => {
  it('titles every route and says plainly when a night or field does not exist (finding 8)', async () => {
    const visits: Array<[string, string | RegExp, string]> = [
      ['/', 'Archive · drsoda', night],
      [`/nights/${night}`, `Night ${night} · drsoda`, `Night ${night}`],
      [`/nights/${night}/fields/${field}`, `Field ${field} · ${night} · drsoda`, `Field ${field}`],
      ['/jobs', 'Jobs · drsoda', 'Jobs'],
      ['/sign-in', 'Sign in · drsoda', 'Sign in'],
      ['/nights/2099-01-01', 'No such night · drsoda', 'No such night'],
      ['/nights/not-a-night', 'No such night · drsoda', 'No such night'],
      [`/nights/${night}/fields/NO_SUCH_FIELD`, 'No such field · drsoda', 'No such field'],
      ['/jobs/no-such-job', 'Job no-such-job · drsoda', 'Job no-such-job'],
      ['/api-reference', 'API reference · drsoda', 'API'],
      [`/search?target=${encodeURIComponent(target)}`, `Search: ${target} · drsoda`, 'Find a target'],
      [`/frames/${encodeURIComponent(frameId)}/header`, `FITS header · ${frameId.split('?').pop()} · drsoda`, 'FITS header of'],
    ];
    for (const [url, title, heading] of visits) {
      await page.goto(`${base}${url}`);
      await page.getByRole(url === '/' ? 'link' : 'heading', { name: heading }).first().waitFor();
      await until(`document.title === ${JSON.stringify(title)}`);
    }
    // A bad address gives a page that says so and leads back, not empty tables.
    await page.goto(`${base}/nights/2099-01-01`);
    await page.getByRole('heading', { name: 'No such night' }).waitFor();
    expect(await page.locator('table').count()).toBe(0);
    await page.getByText('The archive has no night 2099-01-01').waitFor();
    await page.getByRole('link', { name: 'All nights' }).click();
    await page.getByRole('link', { name: night }).waitFor();
    await page.goto(`${base}/nights/${night}/fields/NO_SUCH_FIELD`);
    await page.getByText(`The archive has no field NO_SUCH_FIELD on ${night}`).waitFor();
    expect(await page.locator('table').count()).toBe(0);
    await page.goto(`${base}/jobs/no-such-job`);
    await page.getByText(/There is no such job/).waitFor();
  }, T);

  it('labels the Reduce dialog in 2dFdr words with the parameter name as a hint, and gives the focus back to the opener (findings 6, 8)', async () => {
    await page.goto(`${base}/nights/${night}/fields/${field}`);
    await page.getByText(/\d+ targets, \d+ sky fibres/).waitFor();
    const opener = page.getByRole('button', { name: 'Reduce this field…' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const d = dialog();
    await d.getByLabel('ARMS').waitFor();
    for (const [label, name] of [['Output format', 'RESPONSEFORMAT'], ['2dFdr settings preset', 'IDX_PRESET'], ['Spectrograph arms', 'ARMS'], ['Splice blue and red', 'SPLICE'], ['Fibre throughput calibration', 'THROUGHPUT']]) {
      const control = d.getByLabel(label);
      expect(await control.count()).toBe(1);
      expect(await d.locator(`label[for="${await control.getAttribute('id')}"] code`).textContent()).toBe(name);
    }
    expect(await d.getByLabel('Output format').locator('option').allTextContents()).toEqual(['FITS (2dFdr file) (default)', 'VOTable (one row per fibre)']);
    await d.getByRole('group', { name: /^Wavelength range \(nm\) BAND$/ }).waitFor();
    await d.getByRole('group', { name: /^Exposure window \(UTC\) TIME$/ }).waitFor();
    // Units agree everywhere: BAND's help speaks nm, never metres.
    const bandHelp = await band().locator('.help').textContent();
    expect(bandHelp).toMatch(/in nm.*This data covers \d+(\.\d+)? nm to \d+(\.\d+)? nm\./);
    expect(bandHelp).not.toMatch(/metre|e-\d/);
    expect(await unlabelledControls(page)).toEqual([]);
    // Closed with the × button (the dialog is removed, not closed natively) or Escape: the focus returns.
    await d.getByRole('button', { name: 'Close' }).click();
    await d.waitFor({ state: 'detached' });
    await until(`document.activeElement?.textContent === 'Reduce this field…'`);
    await page.keyboard.press('Enter');
    await d.getByLabel('ARMS').waitFor();
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    await until(`document.activeElement?.textContent === 'Reduce this field…'`);
    // Opening the dialog for a field did not add the field to the shared selection.
    expect(await page.getByRole('complementary', { name: 'Selection' }).count()).toBe(0);
    expect(await page.getByLabel('Select the whole field').isChecked()).toBe(false);
  }, T);

  it('reduces exactly the datasets chosen and shows them: "Reduce field…" does not add to another selection (finding 6)', async () => {
    await page.goto(`${base}/nights/${night}`);
    const frames = page.getByRole('table', { name: `Frames of ${night}` });
    await frames.locator('tbody tr').first().waitFor();
    await frames.locator('tbody tr input[type=checkbox]').first().check();
    const bar = page.getByRole('complementary', { name: 'Selection' });
    await bar.waitFor();
    expect(await bar.locator('li').count()).toBe(1);
    await page.getByRole('table', { name: `Fields observed on ${night}` }).getByRole('button', { name: 'Reduce field…' }).first().click();
    const d = dialog();
    const reducing = d.getByRole('region', { name: 'What will be reduced' });
    await reducing.waitFor();
    const items = await reducing.locator('li').allTextContents();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^field .+ — the whole field: every object frame/);
    await d.getByLabel('ARMS').waitFor();
    await reducing.getByText('Fibres: all of them (no sky region chosen). Wavelengths: the full range.').waitFor();
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    expect(await bar.locator('li').count()).toBe(1);
    // The selection bar's Reduce… reduces the selection, and lists it.
    await bar.getByRole('button', { name: 'Reduce…' }).click();
    expect(await dialog().getByRole('region', { name: 'What will be reduced' }).locator('li').allTextContents()).toEqual([expect.stringMatching(/\.fits .*— this frame$/)]);
    await page.keyboard.press('Escape');
    await bar.getByRole('button', { name: 'Clear' }).click();
    await bar.waitFor({ state: 'detached' });
  }, T);

  it('keeps each BAND box as typed and words its errors in nm; Show plan refuses exactly what Submit refuses (findings 3, 6)', async () => {
    const d = await openFieldDialog();
    const from = band().getByLabel('from');
    const to = band().getByLabel('to');
    // Typing into "to" with "from" empty leaves "from" empty.
    await to.fill('500');
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['', '500']);
    await from.fill('420');
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['420', '500']);
    // Clearing "from" does not move "to" into it.
    await from.fill('');
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['', '500']);
    const problems = d.locator('.problems');
    for (const button of ['Show plan', 'Submit']) {
      await d.getByRole('button', { name: button }).click();
      await problems.getByText('Wavelength range: give both “from” and “to”, or leave both empty.').waitFor();
    }
    // Reversed: the values come back as typed, in nm, without float noise.
    await from.fill('600');
    await to.fill('500.5');
    for (const button of ['Show plan', 'Submit']) {
      await d.getByRole('button', { name: button }).click();
      await problems.getByText('Wavelength range: “from” (600 nm) must be before “to” (500.5 nm).').waitFor();
    }
    expect(await band().locator('.error').textContent()).toBe('Wavelength range: “from” (600 nm) must be before “to” (500.5 nm).');
    // Outside the data: before, Show plan made a plan that the browser then refused to submit.
    await from.fill('1000');
    await to.fill('1200');
    for (const button of ['Show plan', 'Submit']) {
      await d.getByRole('button', { name: button }).click();
      await problems.getByText(/^Wavelength range: 1000 nm to 1200 nm lies outside this data, which covers \d+(\.\d+)? nm to \d+(\.\d+)? nm\.$/).waitFor();
    }
    expect(await problems.textContent()).not.toMatch(/e-\d|metre/);
    expect(await d.getByRole('table', { name: 'Planned steps' }).count()).toBe(0);
    expect(await pendingJobs()).toBe(0);
    expect(page.url()).toMatch(/\/fields\//);
    // Partly inside is fine (the service clips to the data): the plan is made, and the request is in metres.
    await from.fill('420');
    await to.fill('1200');
    await expectNoProblems(d);
    await d.getByRole('button', { name: 'Show plan' }).click();
    await d.getByRole('table', { name: 'Planned steps' }).waitFor();
    expect(await pendingParameter('BAND')).toBe('4.2e-7 0.0000012');
    await page.keyboard.press('Escape');
    expect(await noPendingJobs()).toBe(0);
  }, T);

  it('takes TIME as UTC date-times with the MJD beside them, and sends MJD (finding 3)', async () => {
    const d = await openFieldDialog();
    const time = d.getByRole('group', { name: /TIME/ });
    const from = time.getByLabel('from');
    const to = time.getByLabel('to');
    expect([await from.getAttribute('type'), await to.getAttribute('type')]).toEqual(['datetime-local', 'datetime-local']);
    const [min, max] = [await from.getAttribute('min'), await from.getAttribute('max')];
    expect(min).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(await time.locator('.help').textContent()).toContain(`This data covers ${min!.replace('T', ' ')} UTC to ${max!.replace('T', ' ')} UTC.`);
    await to.fill(max!);
    expect(await from.inputValue()).toBe('');
    await from.fill(min!);
    const mjd = (utc: string) => Number((Date.parse(`${utc}Z`) / 86_400_000 + 40587).toFixed(6));
    await time.getByText(`MJD ${mjd(min!)}`).waitFor();
    await time.getByText(`MJD ${mjd(max!)}`).waitFor();
    await d.getByRole('button', { name: 'Show plan' }).click();
    await d.getByRole('table', { name: 'Planned steps' }).waitFor();
    expect(await pendingParameter('TIME')).toBe(`${mjd(min!)} ${mjd(max!)}`);
    await d.getByText(/Exposures overlapping \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC to/).waitFor();
    await page.keyboard.press('Escape');
    expect(await noPendingJobs()).toBe(0);
  }, T);

  it('says why SPLICE cannot apply with one arm instead of silently dropping it (finding 6)', async () => {
    const d = await openFieldDialog();
    const splice = d.getByLabel('SPLICE');
    expect(await splice.isDisabled()).toBe(false);
    await d.getByLabel('ARMS').selectOption('blue');
    expect(await splice.isDisabled()).toBe(true);
    expect(await splice.isChecked()).toBe(false);
    expect(await d.locator(`#${await splice.getAttribute('aria-describedby')}`).textContent()).toMatch(/^Needs both arms: with one arm there is nothing to splice/);
    await d.getByLabel('ARMS').selectOption('both');
    expect(await splice.isDisabled()).toBe(false);
    expect(await splice.isChecked()).toBe(true);
    await page.keyboard.press('Escape');
  }, T);

  it('reduces the field and shows the download of a plot as it arrives (finding 8)', async () => {
    const d = await openFieldDialog();
    await d.getByLabel('ARMS').selectOption('blue');
    await band().getByLabel('from').fill('420');
    await band().getByLabel('to').fill('560');
    await d.getByLabel('Job name (RUNID, optional)').fill('forms layout test');
    await d.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/\/jobs\/[\w-]+$/);
    jobUrl = page.url();
    await page.locator('h1 .badge', { hasText: /^(COMPLETED|ERROR)$/ }).waitFor({ timeout: 240_000 });
    expect(await page.locator('h1 .badge').textContent()).toBe('COMPLETED');
    await until(`document.title === 'Job ${jobUrl.split('/').pop()} · drsoda'`);
    // A slow link (about 300 KB/s): the plot's spectra take seconds, and the page shows the bytes so far.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 50, downloadThroughput: 300_000, uploadThroughput: 300_000 });
    try {
      await page.getByRole('button', { name: /^Plot .*combined/ }).click();
      const plot = page.getByRole('region', { name: /Spectrum plot/ });
      const bar = plot.getByRole('progressbar', { name: 'Download of the spectra' });
      await bar.waitFor();
      await plot.getByText(/^Fetching the spectra: [\d.]+ (B|KiB|MiB) of [\d.]+ (KiB|MiB)…$/).waitFor();
      expect(Number(await bar.getAttribute('max'))).toBeGreaterThan(100_000);
      await plot.locator('.spinner').waitFor();
      await plot.getByText(/^Showing fibre \d+/).waitFor({ timeout: 120_000 });
      // Quick-looks on the slow link hold their place with a spinner until the image is in.
      await page.reload();
      await page.locator('.previews .img-wait', { hasText: 'Loading the quick-look…' }).first().waitFor();
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    }
    // Then the image replaces its spinner (images further down load lazily, when scrolled to).
    await page.locator('.previews img').first().scrollIntoViewIfNeeded();
    await until(`(() => { const i = document.querySelector('.previews img'); return !!i && i.complete && i.naturalWidth > 0; })()`, 120_000);
    await until(`!document.querySelector('.previews figure').querySelector('.img-wait')`);
  }, T);

  it('fits every page into 390 px and 1280 px: no sideways scrolling, the dialog and the result buttons in reach (finding 4)', async () => {
    const jobId = jobUrl.split('/').pop()!;
    const pages: Array<{ name: string; url: string; ready: () => Promise<unknown>; then?: (width: number) => Promise<void> }> = [
      { name: 'nights', url: '/', ready: () => page.getByRole('link', { name: night }).waitFor() },
      { name: 'night', url: `/nights/${night}`, ready: () => page.getByRole('table', { name: `Frames of ${night}` }).locator('tbody tr').first().waitFor() },
      { name: 'field', url: `/nights/${night}/fields/${field}`, ready: () => page.getByText(/\d+ targets, \d+ sky fibres/).waitFor() },
      {
        name: 'reduce-dialog', url: `/nights/${night}/fields/${field}`,
        ready: async () => {
          await page.getByText(/\d+ targets, \d+ sky fibres/).waitFor();
          await page.getByRole('button', { name: 'Reduce this field…' }).click();
          await dialog().getByLabel('ARMS').waitFor();
        },
        then: async (width) => {
          const [scroll, client, right] = await page.evaluate<number[]>("(() => { const d = document.querySelector('dialog.reduce'); return [d.scrollWidth, d.clientWidth, d.getBoundingClientRect().right]; })()");
          if (scroll > client || right > width) problems.push(`the Reduce dialog at ${width} px: ${scroll} px of content in ${client} px, right edge at ${right} px`);
          for (const name of ['Show plan', 'Submit']) await inReach(dialog().getByRole('button', { name }), `${name} at ${width} px`, width);
        },
      },
      { name: 'jobs', url: '/jobs', ready: () => page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: jobId }).waitFor() },
      {
        name: 'job', url: `/jobs/${jobId}`,
        ready: async () => {
          await page.locator('h1 .badge', { hasText: 'COMPLETED' }).waitFor();
          await page.getByRole('button', { name: /^Plot .*combined/ }).click();
          await page.getByRole('region', { name: /Spectrum plot/ }).getByText(/^Showing fibre \d+/).waitFor();
          await until(`(() => { const imgs = Array.from(document.querySelectorAll('.previews img')); return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0); })()`);
        },
        then: async (width) => {
          const results = page.getByRole('table', { name: 'Results' });
          await inReach(results.getByRole('link', { name: /^Download/ }).first(), `Download at ${width} px`, width);
          await inReach(results.getByRole('button', { name: /^Plot/ }).first(), `Plot at ${width} px`, width);
        },
      },
      { name: 'sign-in', url: '/sign-in', ready: () => page.getByRole('heading', { name: 'Sign in' }).waitFor() },
      { name: 'api-reference', url: '/api-reference', ready: () => page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 60_000 }) },
      {
        name: 'api-guide', url: '/api-reference',
        ready: async () => {
          await page.getByRole('tab', { name: /Guide/ }).click();
          await page.getByRole('heading', { name: 'API guide: curl, pyvo and TOPCAT' }).waitFor();
        },
      },
      { name: 'search', url: `/search?target=${encodeURIComponent(target)}`, ready: () => page.getByRole('table', { name: /^Fibres matching/ }).locator('tbody tr').first().waitFor() },
      { name: 'frame-header', url: `/frames/${encodeURIComponent(frameId)}/header`, ready: () => page.getByRole('table', { name: 'Header of HDU 0 (PRIMARY)' }).waitFor() },
      { name: 'no-such-night', url: '/nights/2099-01-01', ready: () => page.getByRole('heading', { name: 'No such night' }).waitFor() },
    ];
    const problems: string[] = [];
    /** The control, scrolled into view vertically, lies inside the window horizontally (no sideways scroll needed). */
    const inReach = async (control: Locator, what: string, width: number) => {
      await control.scrollIntoViewIfNeeded();
      const box = (await control.boundingBox())!;
      if (box.x < 0 || box.x + box.width > width) problems.push(`${what} lies at x ${Math.round(box.x)}-${Math.round(box.x + box.width)} px`);
    };
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      for (const p of pages) {
        await page.goto(`${base}${p.url}`);
        await p.ready();
        if (!(await fits(page))) problems.push(`${p.name} at ${width} px: ${await page.evaluate<number>('document.documentElement.scrollWidth')} px wide`);
        await p.then?.(width);
        await browser.shot(`forms-layout-${p.name}-${width}`, p.name !== 'reduce-dialog');
        if (p.name === 'reduce-dialog') await page.keyboard.press('Escape');
      }
    }
    expect(problems).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, T);
});

async function expectNoProblems(d: Locator): Promise<void> {
  expect(await d.locator('.problems').count()).toBe(0);
}

/** A parameter of the one PENDING job (the plan the dialog just made), as the service stored it. */
async function pendingParameter(name: string): Promise<string | null> {
  const list = await (await fetch(`${base}/soda/async?PHASE=PENDING`)).text();
  const href = /xlink:href="([^"]+)"/.exec(list)?.[1];
  if (!href) return null;
  const job = await (await fetch(href)).text();
  return new RegExp(`<uws:parameter id="${name}"[^>]*>([^<]*)<`).exec(job)?.[1] ?? null;
}
