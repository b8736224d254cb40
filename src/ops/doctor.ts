// `drsoda doctor`: runs every check against the configured setup and renders the findings with what to fix.
import path from 'node:path';
import type { Config, OpsSettings } from '../config.js';
import { openDatabase } from '../store/database.js';
import type { Logger } from '../logger.js';
import { withTimeout } from '../store/db.js';
import { runningEmbedded } from '../store/embedded.js';
import { checkArchive, checkDatabase, checkDisk, checkDocker, type CheckResult } from './doctor-checks.js';
import { checkSlurm } from './doctor-slurm.js';
import { createMailer } from './mailer.js';

export interface DoctorOptions {
  /** Warn below this much free space on DATA_DIR's file system. */
  minFreeGiB: number;
  timeoutMs: number;
}

/** The database to check: DATABASE_URL, the running embedded server, or the embedded one started for the check. */
async function databaseCheck(config: Config, log: Logger, timeoutMs: number): Promise<CheckResult> {
  if (config.databaseUrl) return checkDatabase(config.databaseUrl, timeoutMs);
  const running = runningEmbedded(path.join(config.dataDir, 'pg'))?.url;
  if (running) {
    const r = await checkDatabase(running, timeoutMs);
    return { ...r, detail: `embedded, in use by a running drsoda: ${r.detail}` };
  }
  try {
    const db = await openDatabase(config, log, 'drsoda-doctor');
    try {
      const r = await checkDatabase(db.url, timeoutMs);
      return { ...r, detail: `embedded under ${config.dataDir}/pg (started for this check): ${r.detail}` };
    } finally {
      await db.close();
    }
  } catch (err) {
    return { name: 'database', status: 'fail', detail: `the embedded PostgreSQL under ${config.dataDir}/pg does not start: ${(err as Error | undefined)?.message ?? 'no reason given'}`, fix: 'check DATA_DIR/pg (permissions, disk space), or set DATABASE_URL to a PostgreSQL server' };
  }
}

async function smtpCheck(smtp: OpsSettings['smtp'], timeoutMs: number): Promise<CheckResult> {
  if (!smtp) return { name: 'smtp', status: 'skip', detail: 'SMTP_URL unset: jobs cannot ask for NOTIFY_EMAIL' };
  const mailer = createMailer({ url: smtp.url, from: smtp.from, timeoutMs });
  const where = smtp.url.replace(/\/\/[^@]*@/, '//');
  try {
    await withTimeout(mailer.verify(), timeoutMs * 2, 'smtp check');
    return { name: 'smtp', status: 'ok', detail: `${where} accepts connections` };
  } catch (err) {
    return { name: 'smtp', status: 'fail', detail: `${where}: ${(err as Error).message}`, fix: 'correct SMTP_URL (host, port, user, password) or unset it' };
  } finally {
    mailer.close();
  }
}

export async function runDoctor(config: Config, log: Logger, o: DoctorOptions): Promise<CheckResult[]> {
  const x = config.executor;
  const results: CheckResult[] = [
    { name: 'configuration', status: 'ok', detail: `DATA_DIR=${config.dataDir}, BASE_URL=${config.baseUrl}, EXECUTOR=${x.kind ?? 'auto'}, PIPELINE_IMAGE=${x.image}` },
  ];
  const [database, docker, disk, archive, smtp, slurm] = await Promise.all([
    databaseCheck(config, log, o.timeoutMs),
    checkDocker(x, log, o.timeoutMs),
    checkDisk(config.dataDir, o.minFreeGiB),
    checkArchive(config),
    smtpCheck(config.ops.smtp, o.timeoutMs),
    checkSlurm(x, config.dataDir, o.timeoutMs),
  ]);
  results.push(database, docker.docker, docker.image, ...disk, archive, smtp, ...slurm);
  return results;
}

const tag: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function renderDoctor(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.flatMap((r) => [`${tag[r.status]}  ${r.name.padEnd(width)}  ${r.detail}`, ...(r.fix ? [`${' '.repeat(width + 8)}fix: ${r.fix}`] : [])]);
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  lines.push('', fails ? `${fails} problem(s) to fix${warns ? `, ${warns} warning(s)` : ''}` : warns ? `no problems, ${warns} warning(s)` : 'all checks passed');
  return lines.join('\n') + '\n';
}
