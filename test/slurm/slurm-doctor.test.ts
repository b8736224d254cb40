// `drsoda doctor` with EXECUTOR=slurm, as the real CLI against a real single-node cluster: the controller, the
// partition and a probe job that reads and writes back a file in the step folder root; and a wrong partition.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runDrsoda } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';

type Check = { name: string; status: string; detail: string; fix?: string };

describe('drsoda doctor with EXECUTOR=slurm', () => {
  let cluster: SlurmCluster;
  let db: TestDatabase;
  beforeAll(async () => {
    cluster = await startSlurmCluster();
    db = await createTestDatabase();
  }, 300000);
  const temps: string[] = [];
  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });

  const doctor = async (env: Record<string, string>) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-slurm-'));
    temps.push(dataDir);
    const r = await runDrsoda(['doctor', '--json', '--min-free-gb', '0'], { DATABASE_URL: db.url, DATA_DIR: dataDir, EXECUTOR: 'slurm', SLURM_CONF: cluster.conf, ...env }, 120000);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    return { code: r.code, dataDir, check: (name: string) => checks.find((c) => c.name === name) };
  };

  it('finds the controller and partition, and a probe job reads and writes the shared folder', async () => {
    const r = await doctor({ SLURM_PARTITION: cluster.partition });
    expect(r.check('slurm controller')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`partitions ${cluster.partition}`) });
    expect(r.check('slurm partition')).toMatchObject({ status: 'ok', detail: `${cluster.partition} exists` });
    expect(r.check('slurm shared folder')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^probe job \d+ read and wrote back a file in .*\/slurm$/) });
    expect(r.check('docker')?.status).toBe('skip');
    expect(r.code).toBe(0);
    // The probe cleaned up after itself.
    expect(readdirSync(path.join(r.dataDir, 'slurm'))).toEqual([]);
  }, 180000);

  it('fails on a partition the cluster does not have, and names the ones it has', async () => {
    const r = await doctor({ SLURM_PARTITION: 'nosuch' });
    expect(r.check('slurm partition')).toMatchObject({ status: 'fail', detail: `SLURM_PARTITION=nosuch is not one of ${cluster.partition}` });
    expect(r.code).toBe(1);
  }, 180000);

  it('fails when no controller answers', async () => {
    const r = await doctor({ SLURM_CONF: path.join(cluster.dir, 'missing.conf') });
    expect(r.check('slurm controller')).toMatchObject({ status: 'fail', fix: expect.stringContaining('SLURM_CONF') });
    expect(r.code).toBe(1);
  }, 180000);
});
