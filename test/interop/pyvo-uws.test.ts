// Interoperability: Debian's python3-pyvo (AsyncTAPJob, TAPService.get_job_list) drives the real service on
// loopback: create, run, wait (blocking WAIT), phase, results, result download, job list, delete, errors.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pyvo-uws.py');

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', [script, ...args], { timeout: 90000, env: { ...process.env, NO_PROXY: '127.0.0.1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('pyvo against /soda/async', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('runs, waits for, reads and deletes jobs with AsyncTAPJob', async () => {
    const r = await runPython([`${app.url}/soda`]);
    if (r.code !== 0) throw new Error(`pyvo script failed (${r.code}):\n${r.stderr}`);
    const out = JSON.parse(r.stdout);
    const jobUrl = `${app.url}/soda/async/${out.job_id}`;
    expect(out).toMatchObject({
      create_history: [303],
      job_url_is_location: true,
      version: '1.1',
      initial_phase: 'PENDING',
      owner: null,
      execution_duration: 120,
      run_id: 'pyvo-run',
      final_phase: 'COMPLETED',
      results: [{ id: 'result', href: `${jobUrl}/results/result`, mime: 'application/x-votable+xml' }],
      result_uri: `${jobUrl}/results/result`,
      rows: [[out.job_id, '0.5']],
      list: [[out.job_id, 'COMPLETED']],
      full_list: [[out.job_id, 'COMPLETED', expect.stringMatching(/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d{3}/)]],
      after_delete: 404,
      failing_phase: 'ERROR',
      failing_summary: ['fatal', true],
      raised: true,
    });
    expect(['QUEUED', 'EXECUTING']).toContain(out.phase_after_run);
    expect(out.results[0].size).toBeGreaterThan(100);
    expect(out.quote).toMatch(/^\d{4}-\d\d-\d\d/);
  });
});
