// Runs each step as a Slurm batch job: a step folder on the shared filesystem (script, work dir, inputs, logs,
// exit marker), `sbatch --parsable`, a recorded Slurm job id so a restarted drsoda re-attaches instead of
// submitting again, batched state polling, and scancel when drsoda aborts the step.
import { chown, chmod, copyFile, cp, link, lstat, mkdir, open, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appendTail, STEP_ABORT_DETACH, type StepRunner, type StepRunRequest, type StepRunResult } from '../types.js';
import type { DagSubmitter } from './dag-submit.js';
import { jobScript, type SlurmJobSettings } from './job-script.js';
import { createSlurmPoller, type Finished, type Watched } from './slurm-poller.js';

export interface SlurmJobRecord {
  stepId: string;
  slurmJobId: string;
  jobDir: string;
  /** Submitted ahead with the job's DAG (dag-submit.ts) before the step was ready. */
  ahead?: boolean;
}

/** Where the Slurm job of each running step is recorded (PostgreSQL in the service: store/slurm-job-store.ts). */
export interface SlurmJobRecords {
  find(stepId: string): Promise<SlurmJobRecord | null>;
  record(r: SlurmJobRecord): Promise<void>;
  forget(stepId: string, slurmJobId: string): Promise<void>;
  /**
   * Records whose step no longer runs or waits to run (cancelled, failed, done, deleted): their jobs must go;
   * `stepDone` marks a collected one (its job has ended: nothing to cancel).
   */
  orphans(): Promise<(SlurmJobRecord & { stepDone?: boolean })[]>;
}

export interface SlurmRunnerOptions extends SlurmJobSettings {
  records: SlurmJobRecords;
  pollMs: number;
  /** SLURM_SUBMIT=dag: hands the waiting steps below each submitted one to Slurm ahead (dag-submit.ts). */
  dag?: DagSubmitter;
}

const ORPHAN_SWEEP_MS = 10000;

/** Reads what was appended to a file since `from`; returns the text and the new offset. */
async function readFrom(file: string, from: number): Promise<[string, number]> {
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return ['', from];
  try {
    const { size } = await fh.stat();
    if (size <= from) return ['', from];
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return [buf.subarray(0, bytesRead).toString('utf8'), from + bytesRead];
  } finally {
    await fh.close();
  }
}

/** The job's outputs stay in its folder until the step is recorded done: hard links, or a copy across filesystems. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  if ((await lstat(from)).isFile()) {
    try {
      await link(from, to);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  await cp(from, to, { recursive: true });
}

export function createSlurmRunner(o: SlurmRunnerOptions): StepRunner & { readonly pending: () => number } {
  let lastSweep = 0;
  const watchedIds = new Set<string>();
  const sweep = async () => {
    if (Date.now() - lastSweep < ORPHAN_SWEEP_MS) return;
    lastSweep = Date.now();
    for (const r of await o.records.orphans()) {
      if (watchedIds.has(r.slurmJobId)) continue;
      if (!r.stepDone) {
        o.log.warn({ stepId: r.stepId, slurmJobId: r.slurmJobId }, 'cancelling the Slurm job of a step no job needs');
        await o.cli.cancel([r.slurmJobId]).catch(() => {});
      }
      await o.records.forget(r.stepId, r.slurmJobId);
      await rm(r.jobDir, { recursive: true, force: true });
    }
  };
  // A collected job's record and folder stay until the worker has recorded its step done: a worker killed in
  // between leaves a 'running' step whose next worker re-attaches to the finished job and collects it again,
  // instead of running the step a second time. Swept a few times after each collection, and by any later sweep.
  const sweepAfterCollect = () => {
    for (const ms of [500, 2000, 6000, 15000]) {
      setTimeout(() => {
        lastSweep = 0;
        poller.wake();
      }, ms).unref();
    }
  };
  const poller = createSlurmPoller({ cli: o.cli, intervalMs: o.pollMs, log: o.log, onIdleTick: sweep });
  const container = o.runtime !== 'native';
  const runtimeName = container ? `slurm/${o.runtime} ${o.image}` : `slurm/native ${o.aaorun.join(' ')}`;

  const submit = async (req: StepRunRequest): Promise<SlurmJobRecord> => {
    const stepId = req.labels.stepId;
    const jobDir = path.join(o.jobRoot, stepId.slice(0, 2), `${stepId}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    const work = path.join(jobDir, 'work');
    const inDir = path.join(jobDir, 'in');
    await mkdir(work, { recursive: true });
    await mkdir(inDir, { recursive: true });
    // Inputs made for this attempt (the idx file) live in the caller's temporary folder, which a restarted
    // worker reaps: the job gets its own copy. Archive frames and products stay where they are (shared).
    const attemptBase = path.dirname(req.workDir) + path.sep;
    const inputs: { name: string; hostPath: string }[] = [];
    for (const i of req.inputs) {
      if (i.name.includes('/') || i.name === '..' || i.name === '.') throw new Error(`input name must be a bare file name: ${i.name}`);
      let hostPath = i.hostPath;
      if (hostPath.startsWith(attemptBase)) {
        hostPath = path.join(inDir, i.name);
        await copyFile(i.hostPath, hostPath);
        await chmod(hostPath, 0o444);
      }
      inputs.push({ name: i.name, hostPath });
      await symlink(container ? `/in/${i.name}` : hostPath, path.join(work, i.name));
    }
    if (container) {
      const [uid, gid] = o.user.split(':').map(Number);
      await chmod(jobDir, 0o755);
      await chown(work, uid, gid ?? uid).catch(() => chmod(work, 0o777));
    }
    const [prog, ...args] = req.argv;
    const script = path.join(jobDir, 'run.sh');
    const timeoutS = Math.ceil(req.timeoutMs / 1000);
    await writeFile(script, jobScript({
      runtime: o.runtime, jobDir, aaorun: container ? [prog] : o.aaorun, args, inputs, timeoutS,
      image: o.image, user: o.user, cpus: o.cpus, memoryBytes: o.memoryBytes,
      labels: { 'org.drsoda.managed': 'true', 'org.drsoda.kind': 'slurm', 'org.drsoda.step': stepId },
    }), { mode: 0o755 });
    const jobLabel = req.labels.jobId ?? 'shared';
    const slurmJobId = await o.cli.submit({
      script, name: `drsoda-${stepId}`, comment: `drsoda job=${jobLabel} step=${stepId}`,
      cpus: o.cpus, memoryMb: o.memoryBytes / 2 ** 20, timeMinutes: Math.ceil(timeoutS / 60) + 1,
      stdout: path.join(jobDir, 'stdout'), stderr: path.join(jobDir, 'stderr'), workDir: work,
      partition: o.partition, account: o.account, qos: o.qos,
    }).catch(async (err: unknown) => {
      // Slurm refused it: no job will ever use this folder.
      await rm(jobDir, { recursive: true, force: true });
      throw err;
    });
    const rec = { stepId, slurmJobId, jobDir };
    try {
      await o.records.record(rec);
    } catch (err) {
      // Unrecorded, a restart could not find it: never leave such a job running.
      await o.cli.cancel([slurmJobId]).catch(() => {});
      throw err;
    }
    return rec;
  };

  return {
    kind: 'slurm',
    pending: () => poller.size(),
    async run(req: StepRunRequest): Promise<StepRunResult> {
      const startedAt = new Date();
      let stdout = '';
      let stderr = '';
      const result = (r: Partial<StepRunResult>): StepRunResult => ({ exitCode: null, stdout, stderr, startedAt, endedAt: new Date(), runtime: runtimeName, ...r });
      if (req.signal?.aborted) return result({ failure: 'aborted', message: 'step aborted' });
      const log = o.log.child({ stepId: req.labels.stepId });
      let rec = await o.records.find(req.labels.stepId);
      if (rec && !(await stat(rec.jobDir).catch(() => null))) {
        await o.records.forget(rec.stepId, rec.slurmJobId);
        rec = null;
      }
      // A job submitted ahead that Slurm ended unused (its parent's job failed or was replaced) is replaced, not
      // counted as an attempt: the step itself never ran.
      if (rec?.ahead && o.dag && (await o.dag.stale(rec))) {
        log.info({ slurmJobId: rec.slurmJobId }, 'slurm job submitted ahead ended unused; submitting again');
        await o.cli.cancel([rec.slurmJobId]).catch(() => {});
        await o.records.forget(rec.stepId, rec.slurmJobId);
        await rm(rec.jobDir, { recursive: true, force: true });
        rec = null;
      }
      const ahead = !!rec?.ahead;
      const reattached = !!rec;
      try {
        rec ??= await submit(req);
      } catch (err) {
        return result({ failure: 'transient', message: `cannot submit the step to Slurm: ${(err as Error).message}` });
      }
      const r = rec;
      const how = ahead ? 'handed over with the DAG, attached' : reattached ? 're-attached' : 'submitted';
      log.info({ slurmJobId: r.slurmJobId, reattached }, `slurm job ${how}`);
      req.onOutput?.(`# slurm job ${r.slurmJobId} ${how}\n`, 'stderr');
      o.dag?.handOverFrom(r.stepId);
      let outAt = 0;
      let errAt = 0;
      const tail = async () => {
        const [o1, n1] = await readFrom(path.join(r.jobDir, 'stdout'), outAt);
        outAt = n1;
        if (o1) {
          stdout = appendTail(stdout, o1);
          req.onOutput?.(o1, 'stdout');
        }
        const [e1, n2] = await readFrom(path.join(r.jobDir, 'stderr'), errAt);
        errAt = n2;
        if (e1) {
          stderr = appendTail(stderr, e1);
          req.onOutput?.(e1, 'stderr');
        }
      };
      watchedIds.add(r.slurmJobId);
      const outcome = await new Promise<Finished | 'detached'>((resolve) => {
        const entry: Watched = {
          slurmJobId: r.slurmJobId, jobDir: r.jobDir, timeoutS: Math.ceil(req.timeoutMs / 1000), cancelledByUs: false, onTick: tail,
          onDone: (x) => {
            req.signal?.removeEventListener('abort', onAbort);
            resolve(x);
          },
        };
        function onAbort() {
          if (req.signal?.reason === STEP_ABORT_DETACH) {
            // drsoda is stopping (or lost the lease): the job runs on and the next worker re-attaches to it.
            // A lease is also lost when the step was cancelled: sweep for orphans soon rather than in 10 s.
            poller.remove(r.slurmJobId);
            resolve('detached');
            setTimeout(() => {
              lastSweep = 0;
              poller.wake();
            }, 1000).unref();
            return;
          }
          entry.cancelledByUs = true;
          o.cli.cancel([r.slurmJobId]).then(
            () => poller.wake(),
            (err) => log.warn({ err: (err as Error).message }, 'scancel failed'),
          );
        }
        req.signal?.addEventListener('abort', onAbort, { once: true });
        poller.add(entry);
      });
      watchedIds.delete(r.slurmJobId);
      if (outcome === 'detached') return result({ failure: 'aborted', message: `worker stopped; Slurm job ${r.slurmJobId} runs on for the next worker` });
      await tail().catch(() => {});
      let collected = false;
      try {
        if (!outcome.failure) {
          const inputNames = new Set(req.inputs.map((i) => i.name));
          const work = path.join(r.jobDir, 'work');
          for (const name of await readdir(work)) if (!inputNames.has(name)) await linkOrCopy(path.join(work, name), path.join(req.workDir, name));
          collected = true;
        }
      } finally {
        if (collected) sweepAfterCollect();
        else {
          await o.records.forget(r.stepId, r.slurmJobId);
          await rm(r.jobDir, { recursive: true, force: true });
        }
      }
      return result({ exitCode: outcome.failure ? null : outcome.exitCode, failure: outcome.failure, message: outcome.message });
    },
    async close() {
      await o.dag?.idle();
      poller.close();
    },
  };
}
