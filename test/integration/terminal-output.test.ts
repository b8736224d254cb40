// What a person sees (issue 22): `drsoda simulate`, `drsoda ingest` and `drsoda serve` in a pseudo-terminal
// (util-linux `script`) print readable lines and progress bars; piped, the same commands print JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, projectRoot, runDrsoda, spawnDrsoda, waitForLine } from '../support/process.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// Colours, cursor moves and the bar's redraws (carriage returns) out: the text as the screen ends up showing it.
const screenText = (raw: string) => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r(?!\n)/g, '\n').replace(/\r/g, '');
const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** `drsoda <args>` with stdin, stdout and stderr on a pseudo-terminal; collects what the terminal showed. */
function inTerminal(args: string[], env: Record<string, string>): { child: ChildProcess; screen: () => string; done: Promise<number | null> } {
  const command = [process.execPath, '--import', 'tsx', path.join(projectRoot, 'src/main.ts'), ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let raw = '';
  child.stdout!.on('data', (d) => (raw += d));
  child.stderr!.on('data', (d) => (raw += d));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, screen: () => screenText(raw), done };
}

async function until(what: string, check: () => boolean, timeoutMs: number, show: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; the terminal showed:\n${show()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('terminal and piped output', () => {
  let db: TestDatabase;
  let tmp: string;
  let root: string;
  const night = ['--night', '2014-09-26', '--fields', '1', '--objects', '1', '--size', 'small', '--concurrency', '1'];

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-terminal-'));
    root = path.join(tmp, 'archive');
  });
  afterAll(async () => {
    await db.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('simulate draws a progress bar on a terminal; piped it prints its report and JSON progress lines', async () => {
    const t = inTerminal(['simulate', '--out', root, ...night], {});
    expect(await t.done).toBe(0);
    const screen = t.screen();
    // The bar redraws in place (cursor to column 1), so it is the last state that counts.
    expect(screen).toMatch(/simulate \[█+\] 28\/28 frames \| 100% \|/);
    expect(screen).toMatch(/simulate \[█*░+\] \d+\/28 frames/);
    expect(screen).toMatch(/^simulated 2014-09-26 \(small, seed 1\): 14 exposures, 28 frames/m);
    expect(screen).not.toContain('{"level"');

    // Piped: no bar, the report on stdout, a JSON progress line every PROGRESS_LOG_S on stderr.
    const piped = await runDrsoda(['simulate', '--out', path.join(tmp, 'piped'), ...night], { PROGRESS_LOG_S: '1' }, 120_000);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^simulated 2014-09-26 \(small, seed 1\): 14 exposures, 28 frames/m);
    expect(piped.stdout + piped.stderr).not.toContain('█');
    const progress = jsonLines(piped.stderr);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const l of progress) expect(l).toEqual(expect.objectContaining({ level: 30, msg: 'progress', task: 'simulate', total: 28, unit: 'frames' }));
    expect(progress.at(-1)).toEqual(expect.objectContaining({ done: 28 }));
  }, 180_000);

  it('ingest shows a bar and its readable report on a terminal, JSON log lines piped', async () => {
    const env = { DATABASE_URL: db.url, ARCHIVE_ROOT: root, DATA_DIR: path.join(tmp, 'data') };
    // A file that is not FITS, so both runs have a warning to log.
    writeFileSync(path.join(root, '140926/ccd_1/26sep19999.fits'), 'not a FITS file');
    const t = inTerminal(['ingest'], env);
    expect(await t.done).toBe(0);
    const screen = t.screen();
    expect(screen).toMatch(/ingest \[█+\] 29\/29 files \| 100% \|/);
    expect(screen).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: archive file not indexed \{"relPath":"140926\/ccd_1\/26sep19999.fits"/m);
    expect(screen).toMatch(new RegExp(`^ingested ${root}: 29 files scanned, 28 added, 0 updated, 0 unchanged, 0 newly missing, 1 failed`, 'm'));
    expect(screen).not.toContain('{"level"');

    const piped = await runDrsoda(['ingest', '--verify'], env, 120_000);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/29 files scanned, 0 added, 0 updated, 28 unchanged, 0 newly missing, 1 failed/);
    expect(piped.stderr).not.toContain('█');
    const logs = jsonLines(piped.stderr).filter((l) => l.msg !== 'progress');
    expect(logs).toEqual([expect.objectContaining({ service: 'drsoda', level: 40, msg: 'archive file not indexed', relPath: '140926/ccd_1/26sep19999.fits' })]);
  }, 180_000);

  it('serve logs readable lines on a terminal, failing requests shown and routine ones not; piped, JSON lines for every request', async () => {
    const env = (port: number) => ({ DATABASE_URL: db.url, ARCHIVE_ROOT: root, DATA_DIR: path.join(tmp, 'data'), EXECUTOR: 'local', HOST: '127.0.0.1', PORT: String(port) });
    const port = await freePort();
    const t = inTerminal(['serve'], env(port));
    try {
      await until('listening line', () => /INFO.*drsoda listening/.test(t.screen()), 90_000, t.screen);
      expect((await fetch(`http://127.0.0.1:${port}/soda/availability`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/no-such-page`)).status).toBe(404);
      await until('404 request line', () => /GET \/no-such-page 404 [\d.]+ ms/.test(t.screen()), 10_000, t.screen);
      const screen = t.screen();
      expect(screen).toMatch(/^\[\d\d:\d\d:\d\d\] (INFO|WARN): /m);
      expect(screen).not.toContain('GET /soda/availability');
      expect(screen).not.toContain('{"level"');
    } finally {
      process.kill(-t.child.pid!, 'SIGTERM');
      await t.done;
    }

    const port2 = await freePort();
    const child = spawnDrsoda(['serve'], env(port2));
    try {
      const listening = JSON.parse(await waitForLine(child, /drsoda listening/, 90_000)) as Record<string, unknown>;
      expect(listening).toEqual(expect.objectContaining({ level: 30, port: port2 }));
      expect((await fetch(`http://127.0.0.1:${port2}/soda/availability`)).status).toBe(200);
      const request = JSON.parse(await waitForLine(child, /"path":"\/soda\/availability"/, 10_000)) as Record<string, unknown>;
      expect(request).toEqual(expect.objectContaining({ level: 30, msg: 'request', status: 200 }));
    } finally {
      child.kill('SIGTERM');
      await finished(child, 30_000);
    }
  }, 240_000);
});
