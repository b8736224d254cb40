// Parameters never reach a shell, and a step cannot smuggle a file out: option values are matched against
// allow-lists (presets included) and only their declared spellings enter the plan's argv; argv goes to processes
// and containers as arrays; the one place it meets a shell (the warm-sandbox launcher) quotes it so that any
// string survives verbatim; and a step's output that is a symlink never becomes a product.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ServiceError } from '../../src/errors.js';
import { createLocalRunner } from '../../src/executor/local-runner.js';
import { stepScript } from '../../src/executor/sandbox/launcher.js';
import { planSoda } from '../../src/soda/plan-request.js';
import { committedPresets, sodaParameters } from '../../src/soda/parameters.js';
import { parseSodaRequest } from '../../src/soda/request.js';
import { projectRoot } from '../support/process.js';
import { createTestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';
import { AUTHORITY, OBJECT_DID, startSecureApp, type SecureApp } from './secure-app.js';
import { testPipeline } from '../support/fake-plan.js';

const hostile = ['; rm -rf /', '$(id)', '`id`', '-idxfile /etc/passwd', '../../etc/passwd', 'a\nb', "x' y", 'GAUSS; id', '|| true', '${IFS}', '\\', '*', 'blue red', '-TPMETH NONE'];
const optionNames = ['ARMS', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET', 'COMBINE', 'SPLICE', 'SKYSUB', 'RESPONSEFORMAT'];

describe('option values and argv', () => {
  let s: SecureApp;
  beforeAll(async () => {
    s = await startSecureApp();
  });
  afterAll(async () => {
    await s?.close();
  });

  const plan = async (name: string, value: string) => {
    const req = parseSodaRequest([{ name: 'ID', value: OBJECT_DID }, { name: 'ARMS', value: name === 'ARMS' ? value : 'blue' }, ...(name === 'ARMS' ? [] : [{ name, value }])], 'async');
    return planSoda({ db: s.db.pool, authority: AUTHORITY, presets: committedPresets, archiveRoot: s.archive, pipeline: testPipeline }, req);
  };
  const allowed = (name: string) => sodaParameters.find((d) => d.name === name)?.options?.map((o) => o.toLowerCase()) ?? [];

  it.each(optionNames)('refuses hostile %s values at job creation with a UsageError and stores nothing', async (name) => {
    for (const value of hostile) {
      const res = await fetch(`${s.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ ID: OBJECT_DID, [name]: value }), redirect: 'manual' });
      const body = await res.text();
      expect([value, res.status]).toEqual([value, 400]);
      expect(body).toMatch(new RegExp(`^UsageError: ${name}`));
    }
    expect((await s.db.pool.query('select count(*)::int as n from uws_job')).rows[0].n).toBe(0);
  });

  it('puts only declared option spellings into the plan argv, whatever the value sent', async () => {
    const name = fc.constantFrom(...optionNames.filter((n) => n !== 'RESPONSEFORMAT'));
    // Every declared spelling is drawn too, so that enough draws are valid and get planned.
    const declared = sodaParameters.flatMap((d) => (optionNames.includes(d.name) ? (d.options ?? []) : []));
    const value = fc.oneof(fc.constantFrom(...hostile), fc.string({ maxLength: 30 }), fc.constantFrom(' gauss ', 'SkyFlux(med)', 'TRUE', 'no', 'Both', '2dfdr_default', ' optex'), fc.constantFrom(...declared));
    let planned = 0;
    await fc.assert(
      fc.asyncProperty(name, value, async (n, v) => {
        let p;
        try {
          p = await plan(n, v);
        } catch (e) {
          if (e instanceof ServiceError && e.label === 'UsageError') return; // refused: nothing planned
          throw e;
        }
        const argv = p.plan!.steps.flatMap((st) => st.argv);
        const idx = p.plan!.steps.map((st) => st.idx.fileName);
        const presetIdx = Object.values(committedPresets.presets).flatMap((pr) => Object.values(pr.gratings).map((g) => g.idxFile));
        expect(idx.every((f) => presetIdx.includes(f))).toBe(true);
        // The raw value appears only when it is an allowed spelling (then argv holds the declared spelling).
        // (Whole argv elements: a one-letter value such as "F" is part of many file names.)
        if (v.trim() !== '' && argv.includes(v.trim())) expect(allowed(n).concat(['true', 'false', '1', '0']).includes(v.trim().toLowerCase())).toBe(true);
        for (const a of argv) expect(a).toMatch(/^[A-Za-z0-9_.+()\-/ ]+$/);
        planned++;
      }),
      // A fixed seed: how many random values happen to be valid spellings must not decide a CI run.
      { numRuns: 300, seed: 20261126 },
    );
    expect(planned).toBeGreaterThan(10);
  });
});

describe('where argv meets a process', () => {
  it('uses no shell anywhere in src: child_process only through spawn/execFile with argument arrays', () => {
    const offenders: string[] = [];
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : [path.join(dir, f)]));
    for (const file of walk(path.join(projectRoot, 'src')).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(projectRoot, file);
      if (/shell\s*:\s*true/.test(text)) offenders.push(`${rel}: shell: true`);
      const imports = /import\s*\{([^}]*)\}\s*from\s*'node:child_process'/.exec(text)?.[1] ?? '';
      for (const name of imports.split(',').map((x) => x.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (!['spawn', 'execFile', 'execFileSync', 'spawnSync', 'type ChildProcess', 'ChildProcess'].includes(name)) offenders.push(`${rel}: imports ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it.each([['/bin/sh', ['/bin/sh']], ['busybox sh', ['busybox', 'sh']]])('the sandbox step script hands any argv to the program verbatim (%s)', (_name, shell) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-quote-'));
    const arg = fc.string({ unit: 'binary', maxLength: 40 }).filter((x) => !x.includes('\0'));
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 4 }), (args) => {
        const script = stepScript(dir, ['printf', '%s\\0', ...args], { EVIL: '$(touch pwned)' });
        const out = execFileSync(shell[0], [...shell.slice(1), '-c', script], { timeout: 5000 });
        const got = out.toString('utf8').split('\0').slice(0, -1);
        expect(got).toEqual(args.map((a) => Buffer.from(a, 'utf8').toString('utf8')));
      }),
      { numRuns: 60 },
    );
    expect(readdirSync(dir).filter((f) => f === 'pwned')).toEqual([]);
  });
});

describe('step outputs', () => {
  it('never turns a symlink written by a step into a product (the step fails instead)', async () => {
    const db = await createTestDatabase();
    try {
      const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
      // A step that writes its output as a link to a host file, then reports success as 2dFdr does.
      const runner = createLocalRunner({ programs: { aaorun: ['sh', '-c', 'ln -s /etc/passwd evil.fits; echo \'Action "EXIT", Task "X", completed.\'', 'aaorun'] } });
      const engine = testEngine(db.pool, db.url, { archiveRoot: archive, runner });
      await engine.start();
      const job = await queuedJob(db.pool);
      await engine.submit(job, 'alice', fakePlan([{ name: 'evil', raw: ['261126/ccd_1/26nov10001.fits'] }], 'symlink'));
      const done = await settled(db.pool, job);
      await engine.stop();
      expect(done.phase).toBe('ERROR');
      expect(done.error!.message).toMatch(/output evil\.fits is a symbolic link, not a file/);
      expect((await db.pool.query('select count(*)::int as n from step_output')).rows[0].n).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
