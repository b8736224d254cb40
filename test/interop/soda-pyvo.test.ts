// The end-to-end test: `drsoda serve` as a user starts it (demo archive simulated at first start, steps as
// local reducer processes), driven by Debian's pyvo and astropy (soda-pyvo.py): links for a demo object frame,
// the #proc descriptor, an async SODA job with CIRCLE and BAND, blocking waits, and the FITS results checked
// against the simulator's truth.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, spawnDrsoda, waitForLine } from '../support/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'soda-pyvo.py');

function runPython(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', [script, ...args], { timeout: 600000, maxBuffer: 16 << 20, env: { ...process.env, NO_PROXY: '127.0.0.1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Check {
  id: string;
  text?: string;
  hdus: string[];
  names: string[];
  expected_names: string[];
  max_sep_deg: number;
  lambda_min_m: number;
  lambda_max_m: number;
  band_m: [number, number];
  pixel_m: number;
  others: number;
  known_ratio_median: number;
  known_chi_std: number;
}

describe('pyvo end to end: links -> #proc -> async SODA job -> FITS checked against the truth', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reduces a demo object frame cut to a circle and a band, matching the simulator truth', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-e2e-'));
    const port = await freePort();
    const env = { DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_ARCHIVE: 'true', ARCHIVE_ROOT: '', EXECUTOR: 'local', WORKER_CONCURRENCY: '2' };
    const server = spawnDrsoda(['serve'], env);
    const done = finished(server, 900000);
    let out: { sync_equals_async: boolean; sync_bytes: number; known: string; descriptor_standard_id: string; input_params: string[]; params: Record<string, string>; async_url: string; initial_phase: string; phase: string; results: Array<{ id: string; mime: string; size: number }>; checks: Check[] };
    try {
      await waitForLine(server, /drsoda listening/);
      const ready = JSON.parse(await waitForLine(server, /demo archive ready/, 120000)) as { objectFrames: string[] };
      const id = ready.objectFrames.find((x) => x.includes('/ccd1/'))!;
      const r = await runPython([`http://127.0.0.1:${port}`, id, path.join(dataDir, 'demo-archive/140926/drsoda-truth.json')]);
      if (r.code !== 0) throw new Error(`pyvo script failed (${r.code}):\n${r.stderr}`);
      out = JSON.parse(r.stdout);
      expect(out.params).toEqual({ ID: id, CIRCLE: expect.stringMatching(/^[\d.]+ -[\d.]+ 0\.3$/), BAND: expect.stringMatching(/^5\.0+\d*e-07 5\.60*\d*e-07$/) });
    } finally {
      server.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);

    expect(out.descriptor_standard_id).toBe('ivo://ivoa.net/std/SODA#sync-1.0');
    expect(out.input_params).toEqual(expect.arrayContaining(['ID', 'CIRCLE', 'BAND', 'ARMS', 'IDX_PRESET']));
    expect(out.async_url).toBe(`http://127.0.0.1:${port}/soda/async`);
    expect([out.initial_phase, out.phase]).toEqual(['PENDING', 'COMPLETED']);
    // Blue reduced frame, red reduced frame (no pixel of the red arm lies below 5600 A: "no data"), spliced.
    expect(out.results.map((x) => [x.id, x.mime])).toEqual([
      [expect.stringMatching(/^2014-09-26_ccd1_\d{4}_26sep1\d{4}red\.fits$/), 'application/fits'],
      [expect.stringMatching(/^2014-09-26_ccd1_\d{4}_26sep2\d{4}red\.txt$/), 'text/plain'],
      [expect.stringMatching(/^2014-09-26_ccd1_\d{4}_.*_spliced\.fits$/), 'application/fits'],
    ]);
    // pyvo's sync client (DatalinkRecord.processed) gets the same cut from the cache.
    expect([out.sync_equals_async, out.sync_bytes]).toEqual([true, out.results[2].size]);
    expect(out.checks[1].text).toMatch(/^UsageError: no data: BAND .* does not overlap 26sep2\d{4}red\.fits/);
    for (const c of [out.checks[0], out.checks[2]]) {
      expect(c.hdus.slice(0, 3)).toEqual(['PRIMARY', 'VARIANCE', 'FIBRES']);
      // Only the fibres inside the circle, and all of them.
      expect(c.names).toEqual(c.expected_names);
      expect(c.names).toContain(out.known);
      expect(c.max_sep_deg).toBeLessThanOrEqual(0.3);
      // Only wavelengths inside the band (pixel centres), and the band filled to within a pixel at each end.
      expect(c.lambda_min_m).toBeGreaterThanOrEqual(c.band_m[0]);
      expect(c.lambda_max_m).toBeLessThanOrEqual(c.band_m[1]);
      expect(c.lambda_min_m - c.band_m[0]).toBeLessThan(c.pixel_m);
      expect(c.band_m[1] - c.lambda_max_m).toBeLessThan(c.pixel_m);
      // The known fibre's spectrum divided by the truth and the response measured on the other programme fibres
      // of the cut: 1 within 3% overall (its continuum is known exactly; 3% is a few times the per-pixel noise of
      // ~2.5% averaged over 70 pixels, leaving room for the throughput calibration), and per pixel within the noise
      // its variance claims (scatter of the normalised residuals below 2).
      expect(c.others).toBeGreaterThanOrEqual(5);
      expect(Math.abs(c.known_ratio_median - 1)).toBeLessThan(0.03);
      expect(c.known_chi_std).toBeLessThan(2);
    }
  }, 900000);
});
