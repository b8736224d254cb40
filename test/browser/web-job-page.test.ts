// The job side of the front end in headless Chromium against the real `drsoda serve` (demo night, reference reducer
// as local processes): a region that keeps nothing is counted and refused before submission, and a job whose entries
// are "no data" is not shown as green success (issue 21, finding 2); the job page keeps the plan's warnings, the
// settings used with defaults, the calibrations, and marks steps reused from an earlier job with that job (finding 7);
// "reduce again with changes" prefills the dialog; the Jobs list says what each job reduces; Abort asks first; the
// step graph fits its box and opens step logs; "API" is a readable reference and guide served locally (finding 8).
import type { Page } from 'playwright-core';
import type { FibreJson, FrameJson, FrameWithFibresJson, StepsJson } from '../../src/domain/api-types.js';
import { openBrowser, type Browser } from './support/chromium.js';
import { checkPage as checkLayout, startDemoServer, type DemoServer } from './support/demo-server.js';

const T = 300_000;

let demo: DemoServer;
let base: string;
let browser: Browser;
let page: Page;
let field: FrameJson;
let fibres: FibreJson[];

const deg = 180 / Math.PI;
const sep = (ra1: number, dec1: number, ra2: number, dec2: number) => {
  const r = Math.PI / 180;
  const s = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / r;
};

/** A small circle inside the field with no fibre in it, found on a grid around the field centre. */
function emptyCircle(): [number, number, number] {
  const placed = fibres.filter((f) => f.raRad !== null && f.decRad !== null);
  const [ra0, dec0] = [field.meanRaDeg!, field.meanDecDeg!];
  for (let dy = -0.6; dy <= 0.6; dy += 0.05) {
    for (let dx = -0.6; dx <= 0.6; dx += 0.05) {
      const [ra, dec] = [ra0 + dx / Math.cos((dec0 * Math.PI) / 180), dec0 + dy];
      if (placed.every((f) => sep(ra, dec, f.raRad! * deg, f.decRad! * deg) > 0.05)) return [ra, dec, 0.02];
    }
  }
  throw new Error('no empty spot in the field');
}

async function post(params: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/soda/async`, { method: 'POST', body: new URLSearchParams(params), redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('location')!.split('/').pop()!;
}

async function phaseOf(id: string, until: RegExp, ms = 240_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const doc = await (await fetch(`${base}/soda/async/${id}?WAIT=20&PHASE=EXECUTING`)).text();
    const phase = /<uws:phase>(\w+)</.exec(doc)![1];
    if (until.test(phase)) return phase;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${phase}`);
    if (phase === 'QUEUED') await new Promise((r) => setTimeout(r, 500));
  }
}

const checkPage = () => checkLayout(page);

beforeAll(async () => {
  demo = await startDemoServer('wjob');
  base = demo.base;
  const frames = (await (await fetch(`${base}/api/frames?class=MFOBJECT&arm=blue&limit=1`)).json()) as { frames: FrameJson[] };
  field = frames.frames[0];
  fibres = ((await (await fetch(`${base}/api/frame?ID=${encodeURIComponent(field.id)}`)).json()) as FrameWithFibresJson).fibres;
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, T);

describe('the job pages tell the whole story', () => {
  let first: string;
  let second: string;

  it('"API" opens a readable reference of the OpenAPI document and the guide, loaded from this service only', async () => {
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(base);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API' }).click();
    await page.waitForURL(`${base}/api-reference`);
    // Swagger UI renders one block per operation of /openapi.json.
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 60_000 });
    const ops = Object.values(spec.paths).reduce((n, p) => n + Object.keys(p).filter((k) => /^(get|post|put|delete|head|patch)$/.test(k)).length, 0);
    expect(await page.locator('.swagger-ui .opblock').count()).toBe(ops);
    await page.getByText('/soda/async/{id}/steps', { exact: true }).first().waitFor();
    await browser.shot('job-page-01-api-reference', true);
    await page.getByRole('tab', { name: /Guide/ }).click();
    await page.getByRole('heading', { name: 'API guide: curl, pyvo and TOPCAT' }).waitFor();
    expect(await page.locator('.api-guide pre code').count()).toBeGreaterThan(5);
    await checkPage();
    await browser.shot('job-page-02-api-guide', true);
    expect(foreign).toEqual([]);
  }, T);

  it('counts the targets and frames a region keeps before submission, and refuses an empty region', async () => {
    await page.goto(`${base}/nights/${field.night}/fields/${encodeURIComponent(field.field)}`);
    await page.getByRole('button', { name: 'Reduce this field…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reduce with 2dFdr' });
    const keeps = dialog.locator('.region-keeps[role=status]');
    const targets = fibres.filter((f) => f.type === 'P').length;
    await keeps.getByText(new RegExp(`^Keeps all ${targets} targets in (\\d+) of \\1 object frames`)).waitFor();
    const circle = dialog.getByRole('group', { name: /CIRCLE/ });
    const [ra, dec, r] = emptyCircle();
    await circle.getByLabel('RA', { exact: true }).fill(ra.toFixed(5));
    await circle.getByLabel('Dec', { exact: true }).fill(dec.toFixed(5));
    await circle.getByLabel('radius').fill(String(r));
    await keeps.getByText(/keeps no targets/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await browser.shot('job-page-03-empty-region');
    // A circle around one target keeps it, in every object frame of the field.
    const t = fibres.find((f) => f.type === 'P' && f.raRad !== null)!;
    await circle.getByLabel('RA', { exact: true }).fill((t.raRad! * deg).toFixed(6));
    await circle.getByLabel('Dec', { exact: true }).fill((t.decRad! * deg).toFixed(6));
    await circle.getByLabel('radius').fill('0.002');
    await keeps.getByText(/^The region keeps 1 target in \d+ of \d+ object frames/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(false);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }, T);

  it('shows a job whose entries are no-overlap "no data" as such, not as green success', async () => {
    const [ra, dec, r] = emptyCircle();
    const id = await post({ ID: field.fieldId!, ARMS: 'blue', CIRCLE: `${ra} ${dec} ${r}`, RUNID: 'empty region', PHASE: 'RUN' });
    expect(await phaseOf(id, /^(COMPLETED|ERROR)$/)).toBe('COMPLETED');
    await page.goto(`${base}/jobs/${id}`);
    await page.locator('h1 .badge.phase-nodata', { hasText: 'no data in region' }).waitFor();
    expect(await page.locator('h1 .badge.phase-completed').count()).toBe(0);
    await page.getByText('Completed — no data in region.').waitFor();
    await checkPage();
    await browser.shot('job-page-04-no-data-job', true);
  }, T);

  it('keeps the plan, settings with defaults and calibrations after submission, and marks steps reused from an earlier job', async () => {
    first = await post({ ID: field.fieldId!, ARMS: 'blue', RUNID: 'first', PHASE: 'RUN' });
    expect(await phaseOf(first, /^(COMPLETED|ERROR)$/)).toBe('COMPLETED');
    second = await post({ ID: field.fieldId!, ARMS: 'blue', BAND: '4.2e-7 5.6e-7', RUNID: 'second', PHASE: 'RUN' });
    expect(await phaseOf(second, /^(COMPLETED|ERROR)$/)).toBe('COMPLETED');
    const plan = (await (await fetch(`${base}/soda/async/${second}/plan?format=json`)).json()) as { warnings: unknown[]; calibrations: Array<{ role: string }>; steps: unknown[] };
    const steps = (await (await fetch(`${base}/soda/async/${second}/steps`)).json()) as StepsJson;

    await page.goto(`${base}/jobs/${second}`);
    await page.locator('h1 .badge', { hasText: 'COMPLETED' }).waitFor();
    // Settings actually used: what the job was sent, and every default, marked.
    const settings = page.getByRole('table', { name: 'Settings used' });
    await settings.waitFor();
    const row = (name: string) => settings.locator('tbody tr', { has: page.locator(`th code:text-is("${name}")`) });
    expect(await row('ARMS').locator('td').allTextContents()).toEqual(['blue', 'this job']);
    for (const name of ['EXTRACTION', 'THROUGHPUT', 'SKYSUB', 'COMBINE', 'IDX_PRESET', 'RESPONSEFORMAT']) {
      expect([name, await row(name).locator('td .badge').textContent()]).toEqual([name, 'default']);
    }
    expect(await row('COMBINE').locator('td code').textContent()).toBe('true');
    // The plan's warnings, all of them, and the calibrations chosen.
    expect(await page.locator('ul[aria-label="Plan warnings"] li').count()).toBe(plan.warnings.length);
    await page.getByText(/^Calibrations chosen \(\d+\)$/).click();
    const cal = page.getByRole('table', { name: 'Calibrations chosen' });
    const roles = new Set(await cal.locator('tbody td:first-child').allTextContents());
    expect(roles).toEqual(new Set(plan.calibrations.map((c) => c.role)));
    // Every step was made by the first job: marked reused, with that job, its times labelled as that run's.
    expect(steps.steps.every((s) => s.madeBy?.kind === 'reused' && s.madeBy.jobId === first)).toBe(true);
    const table = page.locator('table.steps');
    expect(await table.locator('.made-by .badge.reused').count()).toBe(steps.steps.length);
    expect(await table.locator(`.made-by a[href="/jobs/${first}"]`).count()).toBe(steps.steps.length);
    expect(await table.getByText("(that job's run)").count()).toBe(steps.steps.length);
    expect(await page.locator('svg.dag .node.reused').count()).toBe(steps.steps.length);
    // The estimate counts the reuse: nothing left to run.
    await page.locator('.provenance .estimate', { hasText: `${plan.steps.length} steps, ${plan.steps.length} reused from earlier jobs: about 0 s` }).waitFor();
    await checkPage();
    await browser.shot('job-page-05-job-provenance', true);
  }, T);

  it('opens a step log from its node in the graph, which fits its box at any zoom', async () => {
    const box = async () => page.evaluate<{ right: number; width: number; scroll: number; client: number }>(`(() => {
      const el = document.querySelector('.dag-scroll');
      const r = el.getBoundingClientRect();
      return { right: r.right, width: window.innerWidth, scroll: el.scrollWidth, client: el.clientWidth };
    })()`);
    for (const width of [700, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      const b = await box();
      expect(b.right).toBeLessThanOrEqual(b.width);
      expect(b.scroll).toBeLessThanOrEqual(b.client + 1);
    }
    // Zoomed in (at 1280 px: the narrow layout of the rest of the page is not this test's), the graph scrolls inside its box; the page itself does not get wider.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await box();
    expect(zoomed.scroll).toBeGreaterThan(zoomed.client);
    expect(zoomed.right).toBeLessThanOrEqual(zoomed.width);
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await browser.shot('job-page-06-dag-zoomed');
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    const node = page.locator('svg.dag .node', { hasText: 'reduce_arc' }).first();
    const stepId = await node.getAttribute('data-step');
    await node.click();
    const log = page.locator(`#step-${stepId} + tr pre[aria-label="Step log"]`);
    await log.waitFor();
    expect(await log.textContent()).toMatch(/reduce_arc/);
  }, T);

  it('"Reduce again with changes" opens the Reduce dialog with this job\'s settings', async () => {
    await page.getByRole('button', { name: 'Reduce again with changes…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reduce with 2dFdr' });
    await dialog.getByLabel('ARMS').waitFor();
    expect(await dialog.getByLabel('ARMS').inputValue()).toBe('blue');
    const band = dialog.getByRole('group', { name: /BAND/ });
    expect([Number(await band.getByLabel('from').inputValue()), Number(await band.getByLabel('to').inputValue())]).toEqual([420, 560]);
    expect(await dialog.getByLabel('Job name (RUNID, optional)').inputValue()).toBe('second');
    await dialog.getByText(`Settings of job ${second}`).waitFor();
    expect(await dialog.getByText(field.field).count()).toBeGreaterThan(0);
    await browser.shot('job-page-07-reduce-again');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }, T);

  it('asks before aborting, as before deleting', async () => {
    const id = await post({ ID: field.fieldId!, RUNID: 'to abort' });
    await page.goto(`${base}/jobs/${id}`);
    await page.locator('h1 .badge', { hasText: 'PENDING' }).waitFor();
    await page.getByRole('button', { name: 'Abort…' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm abort' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Keep running' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await (await fetch(`${base}/soda/async/${id}/phase`)).text()).toBe('PENDING');
    await page.getByRole('button', { name: 'Abort…' }).click();
    await confirm.getByRole('button', { name: 'Abort job' }).click();
    await page.locator('h1 .badge', { hasText: 'ABORTED' }).waitFor();
  }, T);

  it('lists jobs with field, night, arms, duration and creation time', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    for (const h of ['Field', 'Night', 'Arms', 'Duration', 'Created', 'Phase']) expect(headers).toContain(h);
    const row = table.locator('tbody tr', { has: page.getByRole('link', { name: first }) });
    await row.locator('td', { hasText: field.field }).waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells).toEqual(expect.arrayContaining([field.night, 'blue', expect.stringMatching(/^\d+(\.\d+)? (s|ms|min)/)]));
    await table.locator('tbody tr', { hasText: 'empty region' }).locator('.badge.phase-nodata').waitFor();
    await browser.shot('job-page-08-jobs');
    await checkPage();
  }, T);
});
