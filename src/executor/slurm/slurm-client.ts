// Which Slurm client the executor and `drsoda doctor` talk through: slurmrestd when SLURMRESTD_URL is set,
// else the command-line clients (sbatch, squeue, scancel) with Slurm's own cluster discovery.
import type { ExecutorSettings } from '../../config.js';
import { createSlurmRestClient, type SlurmRestClient } from './rest-client.js';
import { createSlurmCli, type SlurmCli } from './slurm-cli.js';

export type SlurmSettings = ExecutorSettings['slurm'];

/** Throws when SLURMRESTD_URL is set without a token. timeoutMs overrides the per-call timeout (doctor). */
export function createSlurmClient(s: Pick<SlurmSettings, 'conf' | 'rest'>, timeoutMs?: number): SlurmCli | SlurmRestClient {
  if (!s.rest) return createSlurmCli({ conf: s.conf, timeoutMs });
  return createSlurmRestClient({ ...s.rest, conf: s.conf, timeoutMs: timeoutMs ?? s.rest.timeoutMs });
}

/** How the client reaches the cluster, for logs and doctor lines. */
export function slurmEndpoint(s: Pick<SlurmSettings, 'conf' | 'rest'>): string {
  if (s.rest) return `slurmrestd ${s.rest.url} (${s.rest.api})`;
  return s.conf ? `SLURM_CONF=${s.conf}` : "Slurm's default configuration";
}
