// The built-in `sleep` job kind, for tests and demos: sleeps DURATION seconds, then completes with a
// small VOTable result (or ends in ERROR when FAIL=true). It exercises every transition a real runner uses.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../../src/errors.js';
import { shutdownReason } from '../../src/uws/executions.js';
import type { JobParameter } from '../../src/domain/job.js';
import type { JobRunner } from '../../src/uws/types.js';

const maxDurationS = 86400;

function single(params: readonly JobParameter[], name: string): string | undefined {
  const all = params.filter((p) => p.name === name);
  if (all.length > 1) throw usageError(`${name} may be given only once`);
  return all[0]?.value;
}

function durationS(params: readonly JobParameter[]): number {
  const v = single(params, 'DURATION');
  if (v === undefined) return 0;
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > maxDurationS) throw usageError(`DURATION must be a number of seconds in [0, ${maxDurationS}] (got ${JSON.stringify(v)})`);
  return n;
}

function fails(params: readonly JobParameter[]): boolean {
  const v = single(params, 'FAIL');
  if (v === undefined) return false;
  // DALI 1.1 section 3.3.1 booleans.
  const b = v.trim().toLowerCase();
  if (b === 'true' || b === '1') return true;
  if (b === 'false' || b === '0') return false;
  throw usageError(`FAIL must be true or false (got ${JSON.stringify(v)})`);
}

/** Resolves after ms, or as soon as signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

const resultVotable = (jobId: string, seconds: number) => `<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
  <RESOURCE type="results">
    <INFO name="QUERY_STATUS" value="OK">slept ${seconds} s</INFO>
    <TABLE name="sleep">
      <FIELD name="job_id" datatype="char" arraysize="*"/>
      <FIELD name="slept" datatype="double" unit="s"/>
      <DATA><TABLEDATA><TR><TD>${jobId}</TD><TD>${seconds}</TD></TR></TABLEDATA></DATA>
    </TABLE>
  </RESOURCE>
</VOTABLE>
`;

export function createSleepRunner(): JobRunner {
  return {
    kind: 'sleep',
    validate(params) {
      durationS(params);
      fails(params);
    },
    estimateS: (params) => durationS(params),
    async start(job, ctx) {
      const seconds = durationS(job.parameters);
      if (!(await ctx.markExecuting())) return;
      await ctx.progress({ fraction: 0, message: `sleeping ${seconds} s` });
      await sleep(seconds * 1000, ctx.signal);
      if (ctx.signal.aborted) {
        // Aborted, expired or deleted jobs are already final in the store; only a shutdown needs recording.
        if (ctx.signal.reason === shutdownReason) await ctx.fail({ type: 'transient', message: 'ServiceUnavailable: the service stopped while the job ran; run it again' });
        return;
      }
      if (fails(job.parameters)) {
        await ctx.fail({ type: 'fatal', message: 'UsageError: FAIL=true was requested', detail: `UsageError: job ${job.id} failed because FAIL=true was requested`, detailType: 'text/plain' });
        return;
      }
      await mkdir(ctx.workDir, { recursive: true });
      await writeFile(path.join(ctx.workDir, 'result.xml'), resultVotable(job.id, seconds));
      await ctx.complete([{ id: 'result', file: 'result.xml', mimeType: 'application/x-votable+xml' }]);
    },
    abort() {
      // In-process only: the RunContext signal already stopped the sleep.
    },
  };
}
