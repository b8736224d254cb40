// The Slurm client over slurmrestd (Slurm 22.05, OpenAPI v0.0.37/v0.0.38) with a JWT: submit, one GET /jobs for the
// states of all watched jobs, cancel. It implements the same SlurmCli interface as the sbatch/squeue/scancel
// client, so the runner and poller above it do not know which one they use. Every call has a timeout.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { createSlurmCli, EXPORTED, type SlurmCli, type SubmitOptions } from './slurm-cli.js';

export interface SlurmRestOptions {
  /** SLURMRESTD_URL, e.g. http://slurm-head:6820 (no trailing slash). */
  url: string;
  /** A JWT (`scontrol token username=...`); sent as X-SLURM-USER-TOKEN. */
  token?: string;
  /** X-SLURM-USER-NAME; default: the user this process runs as. */
  user?: string;
  /** The OpenAPI plugin path: v0.0.38 (default) or v0.0.37. */
  api?: 'v0.0.37' | 'v0.0.38';
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Only for the command-line escape hatch `run` (slurmrestd has no equivalent). */
  conf?: string;
}

/** slurmrestd's error codes that mean "nothing left to cancel" (Invalid job id, already completing or completed). */
const GONE = new Set([2017, 2021]);

interface RestError {
  error?: string;
  description?: string;
  error_number?: number;
  error_code?: number;
}

/** An answer slurmrestd gave but refused: HTTP status and its `errors` array, in one readable message. */
export class SlurmRestError extends Error {
  override name = 'SlurmRestError';
  constructor(what: string, readonly status: number, readonly errors: RestError[], body: string) {
    const said = errors.map((e) => [e.error, e.description].filter(Boolean).join(': ')).filter(Boolean).join('; ');
    super(`slurmrestd ${what} failed (HTTP ${status}): ${said || body.trim().slice(0, 300) || 'no detail'}`);
  }
  get codes(): number[] {
    return this.errors.map((e) => e.error_number ?? e.error_code ?? 0);
  }
}

export type SlurmRestClient = SlurmCli & {
  /** GET /ping: the controllers slurmrestd reaches and their state (`drsoda doctor`). */
  ping(): Promise<{ hostname: string; ping: string }[]>;
  readonly endpoint: string;
};

export function createSlurmRestClient(o: SlurmRestOptions): SlurmRestClient {
  if (!o.token) throw new Error('SLURMRESTD_URL is set but no token is: set SLURMRESTD_TOKEN (or SLURM_JWT) to a JWT from `scontrol token username=<user>`');
  const base = `${o.url.replace(/\/+$/, '')}/slurm/${o.api ?? 'v0.0.38'}`;
  const headers = {
    'X-SLURM-USER-NAME': o.user ?? os.userInfo().username,
    'X-SLURM-USER-TOKEN': o.token,
    Accept: 'application/json',
  };
  const timeoutMs = o.timeoutMs ?? 10000;

  const call = async <T>(what: string, method: string, rel: string, body?: unknown): Promise<T> => {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}${rel}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((e.cause as Error | undefined)?.message ?? e.message);
      throw new Error(`slurmrestd ${what} failed: ${base}${rel}: ${why}`);
    }
    let json: (T & { errors?: RestError[] }) | null = null;
    try {
      json = JSON.parse(text) as T & { errors?: RestError[] };
    } catch {
      // 401 "Authentication failure", 404 for an unloaded plugin and 400 for a bad path answer plain text.
    }
    const errors = json?.errors ?? [];
    if (!res.ok || errors.length || !json) throw new SlurmRestError(what, res.status, errors, text);
    return json;
  };

  const environment = () => Object.fromEntries(EXPORTED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));

  return {
    endpoint: base,
    async submit(s: SubmitOptions) {
      const job = {
        name: s.name, comment: s.comment, nodes: 1, tasks: 1,
        cpus_per_task: Math.max(1, Math.ceil(s.cpus)), memory_per_node: Math.max(1, Math.ceil(s.memoryMb)),
        time_limit: Math.max(1, Math.ceil(s.timeMinutes)), standard_output: s.stdout, standard_error: s.stderr,
        // As with sbatch --export: only what a step needs reaches the node, never DATABASE_URL or secrets.
        current_working_directory: s.workDir, requeue: false, environment: environment(),
        ...(s.partition ? { partition: s.partition } : {}),
        ...(s.account ? { account: s.account } : {}),
        ...(s.qos ? { qos: s.qos } : {}),
        ...(s.afterOk?.length ? { dependency: `afterok:${s.afterOk.join(':')}` } : {}),
      };
      // slurmrestd takes the script's text, not its path: the node gets it from slurmctld as with sbatch.
      const script = await readFile(s.script, 'utf8');
      const r = await call<{ job_id?: number }>('submit', 'POST', '/job/submit', { script, job });
      if (typeof r.job_id !== 'number') throw new Error(`slurmrestd submit answered no job id: ${JSON.stringify(r).slice(0, 200)}`);
      return String(r.job_id);
    },
    async states(ids) {
      const out = new Map<string, string>();
      if (!ids.length) return out;
      // One GET /jobs for every watched job: v0.0.37/38 have no filter by id list (job/{id} takes a single id).
      const want = new Set(ids);
      const r = await call<{ jobs?: { job_id: number; job_state: string }[] }>('jobs', 'GET', '/jobs');
      for (const j of r.jobs ?? []) if (want.has(String(j.job_id))) out.set(String(j.job_id), j.job_state);
      return out;
    },
    async exitCode(id) {
      const r = await call<{ jobs?: { exit_code?: number }[] }>('job', 'GET', `/job/${encodeURIComponent(id)}`).catch(() => null);
      const raw = r?.jobs?.[0]?.exit_code;
      // A wait status, as scontrol's ExitCode=N:S shows it: exit code in the high byte, signal in the low bits.
      return typeof raw === 'number' ? `${raw >> 8}:${raw & 0x7f}` : null;
    },
    async cancel(ids) {
      // No batch cancel in v0.0.37/38; DELETE sends SIGKILL the way scancel does (SIGTERM, KillWait, SIGKILL).
      const failed: string[] = [];
      for (const id of ids) {
        await call('cancel', 'DELETE', `/job/${encodeURIComponent(id)}`).catch((err: Error) => {
          if (err instanceof SlurmRestError && err.codes.some((c) => GONE.has(c))) return;
          failed.push(err.message);
        });
      }
      if (failed.length) throw new Error(failed.join('; '));
    },
    async partitions() {
      const r = await call<{ partitions?: { name: string }[] }>('partitions', 'GET', '/partitions');
      return [...new Set((r.partitions ?? []).map((p) => p.name))];
    },
    async ping() {
      const r = await call<{ pings?: { hostname: string; ping: string }[] }>('ping', 'GET', '/ping');
      return r.pings ?? [];
    },
    run: (program, args) => createSlurmCli({ conf: o.conf, timeoutMs }).run(program, args),
  };
}
