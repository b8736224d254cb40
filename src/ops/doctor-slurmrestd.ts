// `drsoda doctor` with SLURMRESTD_URL: slurmrestd answers on its OpenAPI path, accepts the token, and reaches
// slurmctld (GET /ping). Each way it can fail gets its own fix line.
import type { ExecutorSettings } from '../config.js';
import { createSlurmRestClient, SlurmRestError } from '../executor/slurm/rest-client.js';
import type { CheckResult } from './doctor-checks.js';

const name = 'slurmrestd';

export async function checkSlurmRest(s: ExecutorSettings['slurm'], timeoutMs: number): Promise<CheckResult> {
  const r = s.rest!;
  let client;
  try {
    client = createSlurmRestClient({ ...r, timeoutMs });
  } catch (err) {
    return { name, status: 'fail', detail: (err as Error).message, fix: 'SLURMRESTD_TOKEN=$(scontrol token username=<user> lifespan=<s> | cut -d= -f2)' };
  }
  try {
    const pings = await client.ping();
    const up = pings.filter((p) => p.ping === 'UP');
    if (!up.length) return { name, status: 'fail', detail: `${client.endpoint} answers but reaches no controller (${pings.map((p) => `${p.hostname} ${p.ping}`).join(', ') || 'none'})`, fix: 'check slurmctld and the SLURM_CONF slurmrestd runs with' };
    return { name, status: 'ok', detail: `${client.endpoint} answers as ${r.user ?? 'this user'}; controller ${up.map((p) => p.hostname).join(', ')} UP` };
  } catch (err) {
    const e = err as Error;
    const status = err instanceof SlurmRestError ? err.status : 0;
    const fix =
      status === 401 ? 'slurmrestd refused the token: mint a new one (scontrol token username=<user>) and check that slurmrestd runs with -a rest_auth/jwt'
      : status === 404 ? `slurmrestd has no openapi/${r.api} plugin loaded: start it with -s openapi/${r.api}, or set SLURMRESTD_API`
      : status === 500 ? 'slurmctld rejected the request: the token may be expired or for another cluster, or AuthAltTypes=auth/jwt is missing from slurm.conf (restart slurmctld after adding it)'
      : 'check SLURMRESTD_URL and that slurmrestd listens there';
    return { name, status: 'fail', detail: e.message, fix };
  }
}
