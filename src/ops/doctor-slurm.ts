// `drsoda doctor` with EXECUTOR=slurm: the controller answers, the partition exists, and a probe job on a
// compute node reads a file drsoda wrote in the step folder root and writes one back (the shared filesystem).
// With SLURMRESTD_URL all of it goes through slurmrestd, after a check that it answers and accepts the token.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutorSettings } from '../config.js';
import type { SlurmCli } from '../executor/slurm/slurm-cli.js';
import { createSlurmClient, slurmEndpoint } from '../executor/slurm/slurm-client.js';
import { checkSlurmRest } from './doctor-slurmrestd.js';
import { isActiveState } from '../executor/slurm/slurm-state.js';
import type { CheckResult } from './doctor-checks.js';

const msg = (err: unknown) => (err as Error)?.message ?? String(err);

export async function checkSlurm(x: ExecutorSettings, dataDir: string, timeoutMs: number): Promise<CheckResult[]> {
  if (x.kind !== 'slurm') return [{ name: 'slurm', status: 'skip', detail: `EXECUTOR=${x.kind ?? 'auto'}: steps do not run through Slurm` }];
  const s = x.slurm;
  const rest = s.rest ? await checkSlurmRest(s, timeoutMs) : null;
  if (rest && rest.status !== 'ok') return [rest];
  const cli = createSlurmClient(s, timeoutMs);
  const where = slurmEndpoint(s);
  let partitions: string[];
  try {
    partitions = await cli.partitions();
  } catch (err) {
    return [...(rest ? [rest] : []), { name: 'slurm controller', status: 'fail', detail: `no Slurm controller answers (${where}): ${msg(err)}`, fix: s.rest ? 'check that slurmrestd reaches slurmctld (its log)' : 'install the Slurm client and munge on this host, and point SLURM_CONF at the cluster\'s slurm.conf' }];
  }
  const results: CheckResult[] = [...(rest ? [rest] : []), { name: 'slurm controller', status: 'ok', detail: `the controller answers (${where}); partitions ${partitions.join(', ')}` }];
  if (s.partition && !partitions.includes(s.partition)) {
    results.push({ name: 'slurm partition', status: 'fail', detail: `SLURM_PARTITION=${s.partition} is not one of ${partitions.join(', ')}`, fix: 'set SLURM_PARTITION to a partition of the cluster, or unset it for the default' });
    return results;
  }
  results.push({ name: 'slurm partition', status: 'ok', detail: s.partition ? `${s.partition} exists` : 'SLURM_PARTITION unset: the cluster\'s default partition' });
  results.push(await probeSharedFolder(cli, s, s.jobDir ?? path.join(dataDir, 'slurm'), timeoutMs));
  return results;
}

/** A probe job copies a token file to another name in the step folder root; drsoda reads it back. */
async function probeSharedFolder(cli: SlurmCli, s: ExecutorSettings['slurm'], jobRoot: string, timeoutMs: number): Promise<CheckResult> {
  const name = 'slurm shared folder';
  const dir = path.join(jobRoot, `.doctor-${process.pid}-${randomBytes(3).toString('hex')}`);
  const token = randomBytes(8).toString('hex');
  let id: string | undefined;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'in'), token);
    await writeFile(path.join(dir, 'probe.sh'), `#!/bin/bash\ncat ${JSON.stringify(path.join(dir, 'in'))} > ${JSON.stringify(path.join(dir, 'out.tmp'))} && mv ${JSON.stringify(path.join(dir, 'out.tmp'))} ${JSON.stringify(path.join(dir, 'out'))}\n`, { mode: 0o755 });
    id = await cli.submit({
      script: path.join(dir, 'probe.sh'), name: 'drsoda-doctor', comment: 'drsoda doctor probe', cpus: 1, memoryMb: 64, timeMinutes: 1,
      stdout: path.join(dir, 'stdout'), stderr: path.join(dir, 'stderr'), workDir: dir, partition: s.partition, account: s.account, qos: s.qos,
    });
    const t0 = Date.now();
    const deadline = t0 + Math.max(30000, timeoutMs * 3);
    for (;;) {
      const out = await readFile(path.join(dir, 'out'), 'utf8').catch(() => null);
      if (out === token) return { name, status: 'ok', detail: `probe job ${id} read and wrote back a file in ${jobRoot}` };
      const state = (await cli.states([id])).get(id) ?? null;
      if (out !== null || (state && !isActiveState(state))) {
        const err = (await readFile(path.join(dir, 'stderr'), 'utf8').catch(() => '')).trim().slice(0, 300);
        return { name, status: 'fail', detail: `probe job ${id} ended ${state ?? 'unseen'} without writing the file back in ${jobRoot}${err ? `: ${err}` : ''}`, fix: 'SLURM_JOB_DIR (default DATA_DIR/slurm) must be on a filesystem the compute nodes mount at the same path, writable by the job user' };
      }
      if (Date.now() > deadline) return { name, status: 'warn', detail: `probe job ${id} still ${state ?? 'unseen'} after ${Math.round((Date.now() - t0) / 1000)} s`, fix: 'the partition is busy or its nodes are down (sinfo); run drsoda doctor again later' };
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    return { name, status: 'fail', detail: `cannot run the probe job: ${msg(err)}`, fix: 'check SLURM_ACCOUNT / SLURM_QOS and that this user may submit to the partition' };
  } finally {
    if (id) await cli.cancel([id]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
