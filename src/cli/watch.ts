// `drsoda watch`: the archive watcher alone (no HTTP API): ingests frames as they land in ARCHIVE_ROOT and
// reduces them by the auto-reduction rules, with an engine (and, with RUN_WORKER, a worker) of its own.
// Run it beside `drsoda serve` on one DATABASE_URL, or use `drsoda serve --watch` (docs/quick-turnaround.md).
import type { Command } from 'commander';
import { archiveRootOf } from '../archive/archive-root.js';
import { systemClock } from '../clock.js';
import { ConfigError } from '../config.js';
import { createMetrics } from '../ops/metrics.js';
import { startMetricsServer, type MetricsServer } from '../ops/metrics-server.js';
import { startEngine } from '../scheduler/start-engine.js';
import { sodaPublish } from '../soda/soda-wiring.js';
import { loadRules } from '../watch/rules.js';
import { startWatch } from '../watch/watch-service.js';
import { cliContext, fail } from './context.js';
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
      const archiveRoot = archiveRootOf(config);
      if (!archiveRoot || !config.archiveRoot) fail(new Error('no archive to watch: set ARCHIVE_ROOT'));
      const db = await openCliDatabase(config, log, 'drsoda-watch').catch(fail);
      const engine = await startEngine({
        config, pool: db.pool, databaseUrl: db.url, clock: systemClock, log, archiveRoot, work: config.executor.runWorker,
        publish: sodaPublish({ config, pool: db.pool }),
      }).catch(async (e) => {
        await db.close();
        fail(e);
      });
      const metrics = createMetrics({ pool: db.pool, log, poolMax: config.db.poolSize });
      let server: MetricsServer | undefined;
      const closeAll = async () => {
        await server?.close();
        metrics.close();
        await engine.stop();
        await db.close();
      };
      const watcher = await startWatch({ config, pool: db.pool, log, clock: systemClock, engine, registry: metrics.registry }).catch(async (e) => {
        await closeAll();
        fail(e);
      });
      // METRICS_PORT: turnaround latencies, auto jobs and ingest counts (and the engine's) for Prometheus.
      if (config.ops.metricsPort !== undefined) {
        server = await startMetricsServer(metrics, { port: config.ops.metricsPort, host: config.host }).catch(async (e) => {
          await watcher.stop();
          await closeAll();
          fail(e);
        });
      }
      log.info({ archiveRoot, owner: config.watch.user, worker: config.executor.runWorker, metricsPort: server?.port }, 'drsoda watch ready');
      let signals = 0;
      const stop = (sig: NodeJS.Signals) => {
        if (++signals > 1) process.exit(130);
        log.info({ signal: sig }, 'stopping the archive watcher');
        watcher.stop().then(closeAll).then(() => process.exit(0), fail);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
