// Headless Debian Chromium driven by playwright-core: the system browser (apt-get install chromium, as .ci/run
// does), never a downloaded one, with a fresh profile per run and screenshots saved under test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../support/process.js';

export const CHROMIUM = '/usr/bin/chromium';
export const artifactsDir = path.join(projectRoot, 'test-artifacts', 'browser');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a screenshot of the page as test-artifacts/browser/<name>.png; returns its path. */
  shot(name: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** A laptop-sized window (1280 x 800). Throws when Chromium is not installed (never skips). */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'drsoda-chromium-'));
  mkdirSync(artifactsDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    shot: async (name, fullPage = false) => {
      const file = path.join(artifactsDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage });
      if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`);
      return file;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Every form control and button on the page has an accessible name (a label, aria-label(ledby) or text):
 * returns the ones that do not, as short descriptions.
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  // Page-side code as a string: the project compiles without the DOM library.
  return page.evaluate<string[]>(`(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea, button')) {
      if (el.type === 'hidden' || el.closest('[hidden]')) continue;
      const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') ||
        (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!named) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  })()`);
}

/**
 * Polls a page expression from the test side until it is true. The pages' Content-Security-Policy forbids eval, and
 * page.waitForFunction with a string re-checks by eval in the page: it throws EvalError whenever its first check is
 * false (on a loaded machine, often). page.evaluate goes through the DevTools protocol, which the CSP does not bind.
 */
export async function waitUntil(page: Page, expr: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expr))) {
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms: ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
