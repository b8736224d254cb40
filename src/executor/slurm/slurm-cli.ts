// The Slurm client commands drsoda calls (sbatch, squeue, scontrol, scancel, sacct, sinfo), each with a
// timeout. Cluster discovery is Slurm's own: SLURM_CONF when configured, else the node's default slurm.conf.
import { execFile } from 'node:child_process';

/** The submitter's variables a step job gets (plus Slurm's own SLURM_*): aaorun found on PATH, the container client. */
export const EXPORTED = ['PATH', 'HOME', 'LANG', 'TZ', 'DOCKER_HOST', 'CONTAINER_HOST'];

export interface SlurmCliOptions {
  /** SLURM_CONF for every command; undefined = Slurm's default discovery. */
  conf?: string;
  /** Per command; default 30 s. */
  timeoutMs?: number;
  /** Folder holding the client programs; default: found on PATH. */
  binDir?: string;
}

export interface SubmitOptions {
  script: string;
  name: string;
  comment: string;
  cpus: number;
  memoryMb: number;
  timeMinutes: number;
  stdout: string;
  stderr: string;
  workDir: string;
  partition?: string;
  account?: string;
  qos?: string;
  /** afterok dependencies (Slurm job ids). */
  afterOk?: string[];
  /** --kill-on-invalid-dep=yes: Slurm cancels the job when a dependency fails instead of leaving it pending. */
  killOnInvalidDep?: boolean;
}

export interface SlurmJobState {
  id: string;
  state: string;
}

export interface SlurmCli {
  /** Resolves the new Slurm job id. */
  submit(o: SubmitOptions): Promise<string>;
  /** States of the given jobs in one squeue call; jobs Slurm no longer reports are absent. */
  states(ids: string[]): Promise<Map<string, string>>;
  /** Slurm's ExitCode `N:S` of one job, from scontrol (null when Slurm has forgotten it). */
  exitCode(id: string): Promise<string | null>;
  cancel(ids: string[]): Promise<void>;
  /** Partitions the controller knows (sinfo), which also proves it answers. */
  partitions(): Promise<string[]>;
  run(program: string, args: string[]): Promise<string>;
}

export function createSlurmCli(o: SlurmCliOptions = {}): SlurmCli {
  const env = { ...process.env, ...(o.conf ? { SLURM_CONF: o.conf } : {}) };
  const run = (program: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const bin = o.binDir ? `${o.binDir}/${program}` : program;
      execFile(bin, args, { env, timeout: o.timeoutMs ?? 30000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${program} ${args[0] ?? ''} failed: ${(stderr || err.message).trim().slice(0, 500)}`));
        else resolve(stdout);
      });
    });
  return {
    run,
    async submit(s) {
      const args = [
        '--parsable', `--job-name=${s.name}`, `--comment=${s.comment}`, '--nodes=1', '--ntasks=1',
        `--cpus-per-task=${Math.max(1, Math.ceil(s.cpus))}`, `--mem=${Math.max(1, Math.ceil(s.memoryMb))}M`,
        `--time=${Math.max(1, Math.ceil(s.timeMinutes))}`, `--output=${s.stdout}`, `--error=${s.stderr}`,
        // Only what a step needs reaches the node: the worker's own environment holds DATABASE_URL and secrets.
        `--chdir=${s.workDir}`, '--no-requeue', `--export=${EXPORTED.join(',')}`,
        ...(s.partition ? [`--partition=${s.partition}`] : []),
        ...(s.account ? [`--account=${s.account}`] : []),
        ...(s.qos ? [`--qos=${s.qos}`] : []),
        ...(s.afterOk?.length ? [`--dependency=afterok:${s.afterOk.join(':')}`] : []),
        ...(s.killOnInvalidDep ? ['--kill-on-invalid-dep=yes'] : []),
        s.script,
      ];
      const out = (await run('sbatch', args)).trim();
      // --parsable prints "jobid" or "jobid;cluster".
      const id = out.split(';')[0];
      if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${out.slice(0, 200)}`);
      return id;
    },
    async states(ids) {
      const out = new Map<string, string>();
      if (!ids.length) return out;
      // squeue -j with several ids reports those it knows; one it has forgotten is simply absent.
      const text = await run('squeue', ['-h', '-t', 'all', '-j', ids.join(','), '-o', '%i|%T']).catch((err: Error) => {
        if (/Invalid job id/i.test(err.message)) return '';
        throw err;
      });
      for (const line of text.split('\n')) {
        const [id, state] = line.trim().split('|');
        if (id && state) out.set(id, state);
      }
      return out;
    },
    async exitCode(id) {
      const text = await run('scontrol', ['show', 'job', '-o', id]).catch(() => '');
      return /\bExitCode=(\d+:\d+)/.exec(text)?.[1] ?? null;
    },
    async cancel(ids) {
      if (ids.length) await run('scancel', ids);
    },
    async partitions() {
      const text = await run('sinfo', ['-h', '-o', '%R']);
      return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))];
    },
  };
}
