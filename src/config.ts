// The only reader of process.env: every setting, its default, and validation that names the bad variable.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL');

const commaList = (v: string): readonly string[] => Object.freeze(v.split(',').map((s) => s.trim()).filter(Boolean));

/** The variables as strings (environment or config file): the type, default and validation of each. */
const variables = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: z.string().url().optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./var'),
  ARCHIVE_ROOT: z.string().min(1).optional(),
  IVO_AUTHORITY: z
    .string()
    .regex(/^[\w\-.~]+$/, 'must be an IVOA authority id such as drsoda.example.org')
    .default('drsoda.example.org'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  PROGRESS_LOG_S: positiveInt.default(5),
  DB_POOL_SIZE: positiveInt.default(10),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(30000),
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(10000),
  SHUTDOWN_GRACE_MS: positiveInt.default(10000),
  EXECUTOR: z.enum(['docker', 'local', 'slurm']).optional(),
  DOCKER_HOST: z.string().optional(),
  PIPELINE_IMAGE: z.string().min(1).default('drsoda/aaorun:latest'),
  WORKER_CONCURRENCY: positiveInt.default(os.cpus().length || 1),
  STEP_TIMEOUT_S: positiveInt.default(1800),
  EXECUTION_MODE: z.enum(['sandbox', 'container']).default('sandbox'),
  CONTAINER_USER: z.string().regex(/^[1-9]\d*:[1-9]\d*$/, 'must be uid:gid of a non-root user, e.g. 10001:10001').default('10001:10001'),
  STEP_CPUS: z.coerce.number().positive().default(1),
  STEP_MEMORY_MB: positiveInt.default(4096),
  STEP_MAX_ATTEMPTS: positiveInt.default(3),
  STEP_LEASE_S: positiveInt.default(30),
  SANDBOX_IDLE_S: positiveInt.default(300),
  SANDBOX_PRESTART: bool.default(true),
  SANDBOX_XVFB: bool.default(false),
  AAORUN_COMMAND: z.string().min(1).optional(),
  PIPELINE_VERSION: z.string().trim().min(1).optional(),
  SLURM_CONF: z.string().min(1).optional(),
  SLURM_PARTITION: z.string().min(1).optional(),
  SLURM_ACCOUNT: z.string().min(1).optional(),
  SLURM_QOS: z.string().min(1).optional(),
  SLURM_RUNTIME: z.enum(['native', 'docker', 'podman']).default('native'),
  SLURM_AAORUN: z.string().min(1).default('aaorun'),
  SLURM_JOB_DIR: z.string().min(1).optional(),
  SLURM_POLL_MS: positiveInt.default(1000),
  SLURM_SUBMIT: z.enum(['step', 'dag']).default('step'),
  SLURMRESTD_URL: z.string().url().refine((v) => /^https?:/.test(v), 'must be an http:// or https:// URL of slurmrestd').optional(),
  SLURMRESTD_TOKEN: z.string().min(1).optional(),
  SLURM_JWT: z.string().min(1).optional(),
  SLURMRESTD_USER: z.string().min(1).optional(),
  SLURMRESTD_API: z.enum(['v0.0.37', 'v0.0.38']).default('v0.0.38'),
  SLURMRESTD_TIMEOUT_S: z.coerce.number().positive().default(10),
  RUN_WORKER: bool.default(true),
  API_PROCESSES: positiveInt.max(256).default(1),
  CACHE_MAX_GB: z.coerce.number().positive().default(100),
  UWS_WAIT_MAX_S: positiveInt.default(60),
  UWS_DEFAULT_EXECUTION_DURATION_S: z.coerce.number().int().min(0).default(3600),
  UWS_MAX_EXECUTION_DURATION_S: z.coerce.number().int().min(0).default(86400),
  UWS_DEFAULT_DESTRUCTION_S: positiveInt.default(7 * 86400),
  UWS_MAX_DESTRUCTION_S: positiveInt.default(30 * 86400),
  RATE_LIMIT_JOBS_PER_MIN: z.coerce.number().int().min(0).default(600),
  SODA_SYNC_WAIT_S: z.coerce.number().int().min(0).max(3600).default(30),
  AUTH_MODE: z.enum(['anonymous', 'header', 'token']).default('anonymous'),
  AUTH_HEADER: z.string().min(1).default('x-remote-user'),
  ADMIN_USERS: z.string().default(''),
  DEMO_ARCHIVE: bool.default(true),
  METRICS_PORT: port.optional(),
  NOTIFY_MAX_ATTEMPTS: positiveInt.default(8),
  NOTIFY_RETRY_BASE_S: z.coerce.number().positive().default(10),
  NOTIFY_TIMEOUT_S: z.coerce.number().positive().default(10),
  NOTIFY_ALLOW_PRIVATE: bool.default(false),
  NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  NOTIFY_RETENTION_DAYS: positiveInt.default(30),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.org:587')
    .optional(),
  SMTP_FROM: z.string().min(3).optional(),
  WATCH_ENABLED: bool.default(false),
  WATCH_USER: z.string().regex(/^[^\s*][^\u0000-\u001f\u007f]{0,255}$/, 'must be a user id (printable, no leading space or *)').default('drsoda-auto'),
  WATCH_RESCAN_S: positiveInt.default(30),
  WATCH_STABLE_MS: positiveInt.default(2000),
  WATCH_POLL_MS: positiveInt.default(500),
  AUTO_REDUCE_RULES: z.string().min(1).optional(),
  PRIORITY_USERS: z.string().default(''),
  PRIORITY_MAX: z.coerce.number().int().min(1).max(1000).default(10),
});

/**
 * The settings as the code reads them, grouped by the part of the service that reads each group. Their shape
 * is written only here (`Config` is what this returns), so a new setting is one variable above and one field here.
 */
function toConfig(c: z.output<typeof variables>) {
  const publicHost = c.HOST === '0.0.0.0' || c.HOST === '::' ? 'localhost' : c.HOST;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    /** Absolute URL clients reach the service at, without a trailing slash. */
    baseUrl: (c.BASE_URL ?? `http://${publicHost}:${c.PORT}`).replace(/\/+$/, ''),
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    archiveRoot: c.ARCHIVE_ROOT ? path.resolve(c.ARCHIVE_ROOT) : undefined,
    ivoAuthority: c.IVO_AUTHORITY,
    logLevel: c.LOG_LEVEL,
    /** auto: readable lines when the log goes to a terminal, JSON lines otherwise (logger.ts). */
    logFormat: c.LOG_FORMAT,
    /** Seconds between `progress` log lines of long CLI work when no terminal shows a bar. */
    progressLogS: c.PROGRESS_LOG_S,
    db: Object.freeze({
      poolSize: c.DB_POOL_SIZE,
      statementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: c.DB_CONNECT_TIMEOUT_MS,
    }),
    shutdownGraceMs: c.SHUTDOWN_GRACE_MS,
    /** `drsoda serve`: HTTP processes sharing the port (node:cluster); 1 = the serve process answers itself. */
    apiProcesses: c.API_PROCESSES,
    executor: Object.freeze({
      /** undefined: docker when a daemon answers, else local. */
      kind: c.EXECUTOR,
      dockerHost: c.DOCKER_HOST,
      image: c.PIPELINE_IMAGE,
      concurrency: c.WORKER_CONCURRENCY,
      stepTimeoutS: c.STEP_TIMEOUT_S,
      mode: c.EXECUTION_MODE,
      user: c.CONTAINER_USER,
      stepCpus: c.STEP_CPUS,
      stepMemoryBytes: c.STEP_MEMORY_MB * 1024 * 1024,
      maxAttempts: c.STEP_MAX_ATTEMPTS,
      leaseS: c.STEP_LEASE_S,
      sandboxIdleS: c.SANDBOX_IDLE_S,
      sandboxPrestart: c.SANDBOX_PRESTART,
      sandboxXvfb: c.SANDBOX_XVFB,
      /** Local executor: the command that stands for aaorun (split on spaces). */
      aaorunCommand: c.AAORUN_COMMAND,
      /** The pipeline's declared version where no image names it (local runs, native Slurm): hashed into step ids. */
      pipelineVersion: c.PIPELINE_VERSION,
      /** EXECUTOR=slurm (docs/slurm.md). */
      slurm: Object.freeze({
        /** undefined: Slurm's own discovery (the node's default slurm.conf). */
        conf: c.SLURM_CONF ? path.resolve(c.SLURM_CONF) : undefined,
        partition: c.SLURM_PARTITION,
        account: c.SLURM_ACCOUNT,
        qos: c.SLURM_QOS,
        /** Where the step runs on the node: aaorun on its PATH, or the pipeline image in docker or podman. */
        runtime: c.SLURM_RUNTIME,
        /** Native runtime: aaorun's command on the nodes (split on spaces). */
        aaorun: c.SLURM_AAORUN.split(/\s+/),
        /** Step folders, on the filesystem the nodes share; undefined = DATA_DIR/slurm. */
        jobDir: c.SLURM_JOB_DIR ? path.resolve(c.SLURM_JOB_DIR) : undefined,
        pollMs: c.SLURM_POLL_MS,
        /** step: each step submitted when it is ready; dag: waiting steps handed over ahead with afterok dependencies. */
        submit: c.SLURM_SUBMIT,
        /** SLURMRESTD_URL set: submit, poll and cancel through slurmrestd (JWT) instead of sbatch/squeue/scancel. */
        rest: c.SLURMRESTD_URL
          ? Object.freeze({
              url: c.SLURMRESTD_URL.replace(/\/+$/, ''),
              /** SLURMRESTD_TOKEN, else SLURM_JWT (what `scontrol token` prints); undefined: the client refuses to start. */
              token: c.SLURMRESTD_TOKEN ?? c.SLURM_JWT,
              /** X-SLURM-USER-NAME; undefined = the user drsoda runs as. */
              user: c.SLURMRESTD_USER,
              api: c.SLURMRESTD_API,
              timeoutMs: Math.round(c.SLURMRESTD_TIMEOUT_S * 1000),
            })
          : undefined,
      }),
      /** serve also runs a worker (in its first API process when there are several). */
      runWorker: c.RUN_WORKER,
      cacheMaxBytes: Math.round(c.CACHE_MAX_GB * 2 ** 30),
    }),
    uws: Object.freeze({
      waitMaxS: c.UWS_WAIT_MAX_S,
      defaultExecutionDurationS: c.UWS_DEFAULT_EXECUTION_DURATION_S,
      maxExecutionDurationS: c.UWS_MAX_EXECUTION_DURATION_S,
      defaultDestructionS: c.UWS_DEFAULT_DESTRUCTION_S,
      maxDestructionS: c.UWS_MAX_DESTRUCTION_S,
      /** Jobs an owner may create per minute (token bucket, a minute's worth of burst); 0 = unlimited. */
      jobsPerMinute: c.RATE_LIMIT_JOBS_PER_MIN,
    }),
    soda: Object.freeze({
      /** How long a /soda/sync request waits for a reduction that is not cached before answering 503. */
      syncWaitS: c.SODA_SYNC_WAIT_S,
    }),
    auth: Object.freeze({
      mode: c.AUTH_MODE,
      /** Lower case, as node:http names request headers. */
      header: c.AUTH_HEADER.toLowerCase(),
      admins: commaList(c.ADMIN_USERS),
    }),
    demoArchive: c.DEMO_ARCHIVE,
    /** Operations: worker metrics endpoint, job notifications (docs/operations.md). */
    ops: Object.freeze({
      /** `drsoda worker` serves /metrics on this port (serve has /metrics on its own port). */
      metricsPort: c.METRICS_PORT,
      notify: Object.freeze({
        maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
        retryBaseS: c.NOTIFY_RETRY_BASE_S,
        timeoutMs: Math.round(c.NOTIFY_TIMEOUT_S * 1000),
        allowPrivate: c.NOTIFY_ALLOW_PRIVATE,
        webhookSecret: c.NOTIFY_WEBHOOK_SECRET,
        retentionS: c.NOTIFY_RETENTION_DAYS * 86400,
      }),
      /** undefined: no SMTP_URL, so jobs cannot ask for e-mail. */
      smtp: c.SMTP_URL ? Object.freeze({ url: c.SMTP_URL, from: c.SMTP_FROM ?? `drsoda <noreply@${c.IVO_AUTHORITY}>` }) : undefined,
    }),
    /** Quick turnaround: the archive watcher and its auto-reduction rules (docs/quick-turnaround.md). */
    watch: Object.freeze({
      /** `drsoda serve` also watches the archive (`drsoda watch` always does). */
      enabled: c.WATCH_ENABLED,
      /** Service identity that owns auto jobs. */
      user: c.WATCH_USER,
      rescanS: c.WATCH_RESCAN_S,
      stableMs: c.WATCH_STABLE_MS,
      pollMs: c.WATCH_POLL_MS,
      /** AUTO_REDUCE_RULES: a JSON rules file, or the JSON itself; undefined = the default rules. */
      rules: c.AUTO_REDUCE_RULES,
    }),
    /** Priority lanes: who may give a job a PRIORITY ('*' = everyone), and its largest value. */
    priority: Object.freeze({ users: commaList(c.PRIORITY_USERS), max: c.PRIORITY_MAX }),
  });
}

const configSchema = variables.transform(toConfig);

export type Config = z.output<typeof configSchema>;

// Each part of the service takes the slice it reads, so its signature says which settings matter to it.
export type DbSettings = Config['db'];
export type ExecutorSettings = Config['executor'];
export type UwsSettings = Config['uws'];
export type SodaSettings = Config['soda'];
export type AuthSettings = Config['auth'];
export type OpsSettings = Config['ops'];
export type NotifySettings = OpsSettings['notify'];
export type SmtpSettings = NonNullable<OpsSettings['smtp']>;
export type WatchSettings = Config['watch'];
export type PrioritySettings = Config['priority'];
/** Where the raw archive is: ARCHIVE_ROOT, else (DEMO_ARCHIVE) the simulated night under DATA_DIR. */
export type ArchiveSettings = Pick<Config, 'archiveRoot' | 'demoArchive' | 'dataDir'>;

/** Thrown for any invalid setting; the CLI prints the message as one line and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`DRSODA_CONFIG: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`DRSODA_CONFIG: ${file} must hold a JSON object of VARIABLE: value`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

/**
 * Builds the configuration from a config file (DRSODA_CONFIG, JSON) overlaid by the environment.
 * Empty environment values count as unset. Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.DRSODA_CONFIG ? readConfigFile(env.DRSODA_CONFIG) : {};
  const merged: Record<string, string> = { ...fromFile };
  for (const key of Object.keys(variables.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0] ?? 'configuration');
    const shown = merged[name] === undefined ? '' : ` (got ${JSON.stringify(merged[name])})`;
    throw new ConfigError(`${name}: ${issue.message}${shown}`);
  }
  return result.data;
}

/** Names of every variable loadConfig reads; docs/configuration.md is checked against it. */
export const configVariables: readonly string[] = Object.freeze([...Object.keys(variables.shape), 'DRSODA_CONFIG']);
