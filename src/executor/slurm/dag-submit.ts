// SLURM_SUBMIT=dag: hands a job's waiting steps to Slurm ahead of time, each with --dependency=afterok on its
// parents' Slurm jobs, so Slurm starts a step when its parents end instead of waiting for drsoda to submit it.
// drsoda still owns each step's outcome: the step stays `waiting` until its parents are done, the worker that then
// claims it attaches to the recorded job (slurm-runner.ts), and the job script waits for the parents' products,
// which drsoda commits as soon as a parent's exit marker appears.
import { chmod, chown, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../../domain/plan.js';
import { jobScript, type SlurmJobSettings } from './job-script.js';
import { readMarker } from './slurm-poller.js';
import { isActiveState } from './slurm-state.js';

export interface AheadJob {
  stepId: string;
  slurmJobId: string;
  jobDir: string;
  afterOk: string[];
}

export interface DagParent {
  stepId: string;
  state: string;
  slurmJobId: string | null;
}

/** The database side (store/slurm-dag-store.ts). */
export interface SlurmDagRecords {
  waitingDescendants(stepId: string): Promise<{ stepId: string; step: Step; jobIds: string[] }[]>;
  /** Calls submit under a lock on the waiting step's row and records what it returns; null when not handed over. */
  handOver(stepId: string, submit: (parents: DagParent[]) => Promise<AheadJob | null>): Promise<AheadJob | null>;
}

export interface DagSubmitOptions extends SlurmJobSettings {
  records: SlurmDagRecords;
  archiveRoot: string;
  /** Where the product store keeps a step's output (scheduler/product-store.ts file()). */
  productFile: (stepId: string, fileName: string) => string;
  stepTimeoutS: number;
}

export interface DagSubmitter {
  /** Hands over the waiting steps below `stepId` (just submitted or attached); one walk at a time, in order. */
  handOverFrom(stepId: string): void;
  /** True for a job submitted ahead that Slurm ended without running the step (a parent failed or was retried). */
  stale(r: { slurmJobId: string; jobDir: string }): Promise<boolean>;
  /** Resolves when no walk is under way (tests, shutdown). */
  idle(): Promise<void>;
}

export function createDagSubmitter(o: DagSubmitOptions): DagSubmitter {
  const container = o.runtime !== 'native';
  let chain: Promise<void> = Promise.resolve();

  /** The step folder and sbatch of one waiting step; null when a parent has neither products nor a Slurm job. */
  const submitAhead = async (step: Step, jobIds: string[], parents: DagParent[], made: { dir?: string; id?: string }): Promise<AheadJob | null> => {
    const afterOk: string[] = [];
    const pending = new Set<string>();
    for (const p of parents) {
      if (p.state === 'done') continue; // cached or finished: its products are in the store, no dependency
      if (!p.slurmJobId || p.state === 'failed' || p.state === 'cancelled') return null;
      afterOk.push(p.slurmJobId);
      pending.add(p.stepId);
    }
    // All parents done: the step is about to be ready and goes the ordinary way.
    if (!afterOk.length) return null;
    const jobDir = path.join(o.jobRoot, step.id.slice(0, 2), `${step.id}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    made.dir = jobDir;
    const work = path.join(jobDir, 'work');
    const inDir = path.join(jobDir, 'in');
    await mkdir(work, { recursive: true });
    await mkdir(inDir, { recursive: true });
    const inputs: { name: string; hostPath: string }[] = [];
    const waitFor: string[] = [];
    for (const i of step.inputs) {
      let hostPath: string;
      if (i.kind === 'raw') {
        hostPath = path.resolve(o.archiveRoot, i.relPath);
        if (!hostPath.startsWith(path.resolve(o.archiveRoot) + path.sep)) throw new Error(`raw input ${i.relPath} is outside the archive`);
      } else {
        hostPath = o.productFile(i.stepId, i.fileName);
        if (pending.has(i.stepId)) waitFor.push(hostPath);
      }
      inputs.push({ name: i.fileName, hostPath });
    }
    const idx = path.join(inDir, step.idx.fileName);
    await writeFile(idx, step.idx.content, { mode: 0o444 });
    inputs.push({ name: step.idx.fileName, hostPath: idx });
    for (const i of inputs) {
      if (i.name.includes('/') || i.name === '..' || i.name === '.') throw new Error(`input name must be a bare file name: ${i.name}`);
      await symlink(container ? `/in/${i.name}` : i.hostPath, path.join(work, i.name));
    }
    if (container) {
      const [uid, gid] = o.user.split(':').map(Number);
      await chmod(jobDir, 0o755);
      await chown(work, uid, gid ?? uid).catch(() => chmod(work, 0o777));
    }
    const script = path.join(jobDir, 'run.sh');
    await writeFile(script, jobScript({
      runtime: o.runtime, jobDir, aaorun: container ? ['aaorun'] : o.aaorun, args: step.argv, inputs, timeoutS: o.stepTimeoutS, waitFor,
      image: o.image, user: o.user, cpus: o.cpus, memoryBytes: o.memoryBytes,
      labels: { 'org.drsoda.managed': 'true', 'org.drsoda.kind': 'slurm', 'org.drsoda.step': step.id },
    }), { mode: 0o755 });
    const slurmJobId = await o.cli.submit({
      script, name: `drsoda-${step.id}`, comment: `drsoda job=${jobIds.length === 1 ? jobIds[0] : 'shared'} step=${step.id}`,
      // The time limit covers the wait for the parents' products and the run, each bounded by the step timeout.
      cpus: o.cpus, memoryMb: o.memoryBytes / 2 ** 20, timeMinutes: 2 * Math.ceil(o.stepTimeoutS / 60) + 1,
      stdout: path.join(jobDir, 'stdout'), stderr: path.join(jobDir, 'stderr'), workDir: work,
      partition: o.partition, account: o.account, qos: o.qos, afterOk, killOnInvalidDep: true,
    });
    made.id = slurmJobId;
    return { stepId: step.id, slurmJobId, jobDir, afterOk };
  };

  const walk = async (from: string) => {
    for (const c of await o.records.waitingDescendants(from)) {
      const made: { dir?: string; id?: string } = {};
      try {
        const rec = await o.records.handOver(c.stepId, (parents) => submitAhead(c.step, c.jobIds, parents, made));
        if (rec) o.log.info({ stepId: c.stepId, slurmJobId: rec.slurmJobId, afterOk: rec.afterOk }, 'slurm job submitted ahead');
        else if (made.dir) await rm(made.dir, { recursive: true, force: true });
      } catch (err) {
        // Not recorded, so never left running; the step will be submitted the ordinary way when it is ready.
        if (made.id) await o.cli.cancel([made.id]).catch(() => {});
        if (made.dir) await rm(made.dir, { recursive: true, force: true });
        o.log.warn({ stepId: c.stepId, err: (err as Error).message }, 'could not hand the step to Slurm ahead');
      }
    }
  };

  return {
    handOverFrom(stepId) {
      chain = chain.then(() => walk(stepId)).catch((err) => o.log.warn({ stepId, err: (err as Error).message }, 'DAG hand-over failed'));
    },
    async stale(r) {
      const states = await o.cli.states([r.slurmJobId]).catch(() => null);
      if (!states) return false;
      const state = states.get(r.slurmJobId);
      if (state && isActiveState(state)) return false;
      const marker = await readMarker(r.jobDir);
      return !marker || 'noInputs' in marker;
    },
    idle: () => chain,
  };
}
