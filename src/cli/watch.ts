// `drsoda watch`: the archive watcher alone (no HTTP API): ingests frames as they land in ARCHIVE_ROOT and
// reduces them by the auto-reduction rules, with an engine (and, with RUN_WORKER, a worker) of its own.
// Run it beside `drsoda serve` on one DATABASE_URL, or use `drsoda serve --watch` (docs/quick-turnaround.md).
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { ConfigError } from '../config.js';
import { createFactory } from '../factory.js';
import { startMetricsServer, type MetricsServer } from '../ops/metrics-server.js';
import { loadRules } from '../watch/rules.js';
import { cliContext, fail } from './context.js';
import { stopOnSignals } from './signals.js';
import { openCliDatabase } from './open-db.js';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('watch ARCHIVE_ROOT: ingest each new frame once complete and reduce it by the auto-reduction rules (AUTO_REDUCE_RULES)')
    .option('--rules <file>', 'auto-reduction rules (JSON file; default AUTO_REDUCE_RULES, else the built-in rules)')
    .action(async (opts: { rules?: string }) => {
      const { config, log } = cliContext({ AUTO_REDUCE_RULES: opts.rules });
      try {
        loadRules(config.watch.rules);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`drsoda: configuration error: ${err.message}\n`);
        process.exit(2);
      }
      if (!config.archiveRoot) fail(new Error('no archive to watch: set ARCHIVE_ROOT'));
      const db = await openCliDatabase(config, log, 'drsoda-watch').catch(fail);
      const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
      let server: MetricsServer | undefined;
      const closeAll = async () => {
        await server?.close();
        await factory.close();
        await db.close();
      };
      try {
        const watcher = await factory.watcher();
        // METRICS_PORT: turnaround latencies, auto jobs and ingest counts (and the engine's) for Prometheus.
        if (config.ops.metricsPort !== undefined) server = await startMetricsServer(factory.metrics(), { port: config.ops.metricsPort, host: config.host });
        log.info({ archiveRoot: watcher.root, owner: config.watch.user, worker: config.executor.runWorker, metricsPort: server?.port }, 'drsoda watch ready');
      } catch (err) {
        await closeAll().catch(() => {});
        fail(err);
      }
      stopOnSignals(log, closeAll);
    });
}
