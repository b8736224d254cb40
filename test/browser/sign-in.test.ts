// Sign-in in token mode (AUTH_MODE=token): the page asks for a token, refuses a wrong one, then shows only the
// signed-in user's jobs, downloads their results with the bearer token, and signs out.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { openBrowser, unlabelledControls, type Browser } from './support/chromium.js';
import { ensureWebBuilt } from './support/web-build.js';

const T = 120_000;
let db: TestDatabase;
let app: TestApp;
let browser: Browser;
let page: Page;
let alice: string;
let aliceJob: string;
let bobJob: string;

async function job(token: string, runId: string): Promise<string> {
  const res = await fetch(`${app.url}/soda/async`, {
    method: 'POST', body: new URLSearchParams({ RUNID: runId, DURATION: '0', PHASE: 'RUN' }), redirect: 'manual', headers: { authorization: `Bearer ${token}` },
  });
  const url = res.headers.get('location')!;
  await fetch(`${url}?WAIT=10&PHASE=QUEUED`, { headers: { authorization: `Bearer ${token}` } });
  await fetch(`${url}?WAIT=10&PHASE=EXECUTING`, { headers: { authorization: `Bearer ${token}` } });
  return url.split('/').pop()!;
}

beforeAll(async () => {
  ensureWebBuilt();
  db = await createTestDatabase();
  app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
  alice = (await createToken(db.pool, systemClock, 'alice')).token;
  const bob = (await createToken(db.pool, systemClock, 'bob')).token;
  aliceJob = await job(alice, 'alice-sleep');
  bobJob = await job(bob, 'bob-sleep');
  browser = await openBrowser();
  page = browser.page;
}, T);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
}, T);

describe('token sign-in', () => {
  it('asks for a token before showing jobs, and refuses one the service does not know', async () => {
    await page.goto(`${app.url}/jobs`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('API token').fill('drsoda_nope');
    await page.getByLabel('API token').press('Enter');
    await page.getByRole('alert').getByText(/does not accept this token/).waitFor();
    await browser.shot('10-sign-in');
  }, T);

  it('shows only the signed-in user’s jobs and downloads a result with the token', async () => {
    await page.getByLabel('API token').fill(alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/jobs$/);
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.getByRole('link', { name: aliceJob }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await page.getByText(bobJob).count()).toBe(0);
    await page.getByText('Signed in with a token').waitFor();
    await browser.shot('11-jobs-signed-in');
    await table.getByRole('link', { name: aliceJob }).click();
    await page.locator('h1 .badge', { hasText: 'COMPLETED' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download/ }).first().click()]);
    expect(readFileSync(await download.path(), 'utf8')).toContain(`<TD>${aliceJob}</TD>`);
    // Another user's job is as absent as a deleted one.
    await page.goto(`${app.url}/jobs/${bobJob}`);
    await page.getByText('There is no such job').waitFor();
  }, T);

  it('aborts a running job and deletes a job from its page, following the phase live', async () => {
    const res = await fetch(`${app.url}/soda/async`, {
      method: 'POST', body: new URLSearchParams({ RUNID: 'long-sleep', DURATION: '600', PHASE: 'RUN' }), redirect: 'manual', headers: { authorization: `Bearer ${alice}` },
    });
    const id = res.headers.get('location')!.split('/').pop()!;
    await page.goto(`${app.url}/jobs/${id}`);
    await page.locator('h1 .badge', { hasText: 'EXECUTING' }).waitFor();
    // Abort asks first, as Delete does.
    await page.getByRole('button', { name: 'Abort…' }).click();
    await page.getByRole('group', { name: 'Confirm abort' }).getByRole('button', { name: 'Abort job' }).click();
    await page.locator('h1 .badge', { hasText: 'ABORTED' }).waitFor();
    expect(await page.getByRole('button', { name: 'Abort' }).count()).toBe(0);
    await browser.shot('12-job-aborted');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('group', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete job' }).click();
    await page.waitForURL(/\/jobs$/);
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: aliceJob }).waitFor();
    expect(await page.getByText(id).count()).toBe(0);
    expect((await fetch(`${app.url}/soda/async/${id}`, { headers: { authorization: `Bearer ${alice}` } })).status).toBe(404);
  }, T);

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto(`${app.url}/jobs`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }, T);
});
