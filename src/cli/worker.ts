// `drsoda worker`: a worker alone (no HTTP), to scale out on more hosts against the same database and storage.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { createFactory } from '../factory.js';
import { startMetricsServer, type MetricsServer } from '../ops/metrics-server.js';
import { cliContext, fail } from './context.js';
import { stopOnSignals } from './signals.js';
import { openCliDatabase } from './open-db.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run reduction steps (claims ready steps from PostgreSQL; no HTTP); start more on other hosts to scale out')
    .option('--concurrency <n>', 'steps run at once (default WORKER_CONCURRENCY)')
    .action(async (opts: { concurrency?: string }) => {
      const { config, log } = cliContext({ WORKER_CONCURRENCY: opts.concurrency });
      const db = await openCliDatabase(config, log, 'drsoda-worker').catch(fail);
      const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
      let metrics: MetricsServer | undefined;
      const closeAll = async () => {
        await metrics?.close();
        await factory.close();
        await db.close();
      };
      try {
        // This worker may finish a SODA job's last step: the factory's engine publishes the job's cuts.
        const engine = await factory.engine({ work: true });
        // METRICS_PORT: this worker's own /metrics for Prometheus (docs/operations.md#metrics).
        if (config.ops.metricsPort !== undefined) metrics = await startMetricsServer(factory.metrics(), { port: config.ops.metricsPort, host: config.host });
        log.info({ workerId: engine.workerId, metricsPort: metrics?.port }, 'drsoda worker ready');
      } catch (err) {
        await closeAll().catch(() => {});
        fail(err);
      }
      stopOnSignals(log, closeAll);
    });
}
