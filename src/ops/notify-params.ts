// NOTIFY_URL and NOTIFY_EMAIL are job-manager parameters, not reduction parameters: this wrapper checks them when
// a job is created or changed and hides them from the job kind's runner (whose parser refuses unknown names).
// The outbox trigger (migrations/000005_ops.sql) reads them from the stored parameters.
import { usageError } from '../errors.js';
import type { JobParameter } from '../domain/job.js';
import type { JobRunner } from '../uws/types.js';
import { isEmailAddress } from './mailer.js';
import { checkWebhookUrl } from './webhook.js';

export const notifyParamNames = ['NOTIFY_URL', 'NOTIFY_EMAIL'] as const;

const isNotify = (p: { name: string }) => (notifyParamNames as readonly string[]).includes(p.name.toUpperCase());

/** Throws UsageError for a malformed or repeated NOTIFY_URL/NOTIFY_EMAIL, or e-mail on a service without SMTP. */
export function checkNotifyParams(params: readonly JobParameter[], o: { email: boolean }): void {
  for (const name of notifyParamNames) {
    const values = params.filter((p) => p.name.toUpperCase() === name);
    if (values.length > 1) throw usageError(`${name} may be given once`);
    const v = values[0];
    if (!v) continue;
    if (v.byReference) throw usageError(`${name} cannot be an upload`);
    if (name === 'NOTIFY_URL') {
      try {
        checkWebhookUrl(v.value);
      } catch (err) {
        throw usageError(`NOTIFY_URL ${(err as Error).message} (got ${JSON.stringify(v.value.slice(0, 100))})`);
      }
    } else {
      if (!o.email) throw usageError('NOTIFY_EMAIL: this service sends no e-mail (its operator has not set SMTP_URL)');
      if (!isEmailAddress(v.value)) throw usageError(`NOTIFY_EMAIL must be one e-mail address (got ${JSON.stringify(v.value.slice(0, 100))})`);
    }
  }
}

/** The runner with notification parameters checked here and removed from what it sees. */
export function withNotifyParams(runner: JobRunner, o: { email: boolean }): JobRunner {
  const strip = (params: readonly JobParameter[]) => params.filter((p) => !isNotify(p));
  return {
    kind: runner.kind,
    validate(params) {
      checkNotifyParams(params, o);
      runner.validate(strip(params));
    },
    ...(runner.describe ? { describe: (params: readonly JobParameter[], job: { id: string }) => runner.describe!(strip(params), job) } : {}),
    ...(runner.estimateS ? { estimateS: (params: readonly JobParameter[]) => runner.estimateS!(strip(params)) } : {}),
    start: (job, ctx) => runner.start({ ...job, parameters: strip(job.parameters) }, ctx),
    abort: (job) => runner.abort(job),
  };
}
