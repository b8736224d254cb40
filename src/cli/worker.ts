// `drsoda worker`: a worker alone (no HTTP), to scale out on more hosts against the same database and storage.
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { openDatabase } from '../database.js';
import { archiveRootOf } from '../archive/archive-root.js';
import { startEngine } from '../scheduler/start-engine.js';
import { migrate } from '../store/migrate.js';
import { sodaPublish } from '../soda/soda-wiring.js';
import { cliContext, fail } from './context.js';
import { startWorkerMetrics } from '../ops/metrics-server.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run reduction steps (claims ready steps from PostgreSQL; no HTTP); start more on other hosts to scale out')
    .option('--concurrency <n>', 'steps run at once (default WORKER_CONCURRENCY)')
    .action(async (opts: { concurrency?: string }) => {
      const { config, log } = cliContext({ WORKER_CONCURRENCY: opts.concurrency });
      const db = await openDatabase(config, log, 'drsoda-worker').catch(fail);
      await migrate(db.pool).catch(async (e) => {
        await db.close();
        fail(e);
      });
      const engine = await startEngine({
        config, pool: db.pool, databaseUrl: db.url, clock: systemClock, log, archiveRoot: archiveRootOf(config) ?? path.join(config.dataDir, 'no-archive'), work: true,
        // This worker may finish a SODA job's last step: it publishes the job's cuts.
        publish: sodaPublish({ config, pool: db.pool }),
      }).catch(async (e) => {
        await db.close();
        fail(e);
      });
      // METRICS_PORT: this worker's own /metrics for Prometheus (docs/operations.md#metrics).
      const metrics = config.ops.metricsPort === undefined ? undefined : await startWorkerMetrics(db.pool, log, { port: config.ops.metricsPort, host: config.host, poolMax: config.db.poolSize }).catch(fail);
      log.info({ workerId: engine.workerId, metricsPort: metrics?.port }, 'drsoda worker ready');
      let signals = 0;
      const stop = (sig: NodeJS.Signals) => {
        if (++signals > 1) process.exit(130);
        log.info({ signal: sig }, 'stopping worker');
        engine.stop().then(() => metrics?.close()).then(() => db.close()).then(() => process.exit(0), fail);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
