// `drsoda serve`: the HTTP API (and, from the execution issue on, a worker), in API_PROCESSES processes.
import type { Command } from 'commander';
import { ensureReducerImage } from '../executor/reducer-image.js';
import { isApiProcess, serve } from './api-processes.js';
import { cliContext, fail } from './context.js';
import { stopOnSignals } from './signals.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (UWS, SODA, DataLink, VOSI); applies migrations first')
    .option('--watch', 'also watch ARCHIVE_ROOT and reduce new frames as they land (WATCH_ENABLED; docs/quick-turnaround.md)')
    .action(async (opts: { watch?: boolean }) => {
      // An API process of API_PROCESSES > 1 takes WATCH_ENABLED from its primary (only the first one watches).
      const { config, log } = cliContext({ WATCH_ENABLED: opts.watch && !isApiProcess() ? 'true' : undefined });
      // The first start on a machine with Docker builds the stand-in reducer image, so steps run in containers
      // (once, in the primary: its API processes find it built).
      if (config.executor.kind !== 'local' && !isApiProcess()) await ensureReducerImage({ image: config.executor.image, dockerHost: config.executor.dockerHost, log });
      // Handlers before "drsoda listening" is logged: a signal that follows that line at once still stops in order.
      const starting = serve(config, log);
      stopOnSignals(log, async () => (await starting).stop(), { signals: isApiProcess() ? ['SIGTERM'] : undefined });
      await starting.catch(fail);
    });
}
