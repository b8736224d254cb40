// `drsoda watch`: the archive watcher alone (no HTTP API): ingests frames as they land in ARCHIVE_ROOT and
// reduces them by the auto-reduction rules, with an engine (and, with RUN_WORKER, a worker) of its own.
// Run it beside `drsoda serve` on one DATABASE_URL, or use `drsoda serve --watch` (docs/quick-turnaround.md).
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import { loadRules } from '../watch/rules.js';
import type { Watcher } from '../watch/watch-service.js';
import { cliContext, fail } from './context.js';
import { openCliServices } from './open-db.js';
import { startProgress } from './progress.js';
import { stopOnSignals } from './signals.js';

/** The start-up catch-up (frames that landed while no watcher ran) as a progress bar, until it is done. */
function showCatchUp(watcher: Watcher, log: Logger, everyMs: number): void {
  const progress = startProgress({ task: 'catch-up', total: 0, unit: 'files', log, everyMs });
  const timer = setInterval(() => {
    const c = watcher.catchUp();
    progress.update(c.done, c.total);
    if (c.finished) {
      clearInterval(timer);
      progress.stop();
    }
  }, 500);
  timer.unref();
}

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
      const { factory, close } = await openCliServices(config, log, 'drsoda-watch').catch(fail);
      let ready: Record<string, unknown> = {};
      try {
        const watcher = await factory.watcher();
        // METRICS_PORT: turnaround latencies, auto jobs and ingest counts (and the engine's) for Prometheus.
        const server = await factory.metricsEndpoint();
        ready = { archiveRoot: watcher.root, owner: config.watch.user, worker: config.executor.runWorker, metricsPort: server?.port };
        showCatchUp(watcher, log, config.progressLogS * 1000);
      } catch (err) {
        await close().catch(() => {});
        fail(err);
      }
      // Handlers before the ready line: a supervisor (or a test) may send SIGTERM the moment it reads it.
      stopOnSignals(log, close);
      log.info(ready, 'drsoda watch ready');
    });
}
