// `drsoda worker`: a worker alone (no HTTP), to scale out on more hosts against the same database and storage.
import type { Command } from 'commander';
import { cliContext, fail } from './context.js';
import { openCliServices } from './open-db.js';
import { stopOnSignals } from './signals.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run reduction steps (claims ready steps from PostgreSQL; no HTTP); start more on other hosts to scale out')
    .option('--concurrency <n>', 'steps run at once (default WORKER_CONCURRENCY)')
    .action(async (opts: { concurrency?: string }) => {
      const { config, log } = cliContext({ WORKER_CONCURRENCY: opts.concurrency });
      const { factory, close } = await openCliServices(config, log, 'drsoda-worker').catch(fail);
      let ready: Record<string, unknown> = {};
      try {
        // This worker may finish a SODA job's last step: the factory's engine publishes the job's cuts.
        const engine = await factory.engine({ work: true });
        // METRICS_PORT: this worker's own /metrics for Prometheus (docs/operations.md#metrics).
        const metrics = await factory.metricsEndpoint();
        // QUEUED jobs whose accepting API process died before handing them to the engine are taken over here too.
        const takesOverJobs = await factory.takeOverJobs();
        ready = { workerId: engine.workerId, metricsPort: metrics?.port, takesOverJobs };
      } catch (err) {
        await close().catch(() => {});
        fail(err);
      }
      // Handlers before the ready line: a supervisor (or a test) may send SIGTERM the moment it reads it.
      stopOnSignals(log, close);
      log.info(ready, 'drsoda worker ready');
    });
}
