// `drsoda serve`: the HTTP API (and, from the execution issue on, a worker).
import type { Command } from 'commander';
import { ensureReducerImage } from '../executor/reducer-image.js';
import { startServer } from '../server.js';
import { cliContext, fail } from './context.js';
import { stopOnSignals } from './signals.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (UWS, SODA, DataLink, VOSI); applies migrations first')
    .option('--watch', 'also watch ARCHIVE_ROOT and reduce new frames as they land (WATCH_ENABLED; docs/quick-turnaround.md)')
    .action(async (opts: { watch?: boolean }) => {
      const { config, log } = cliContext({ WATCH_ENABLED: opts.watch ? 'true' : undefined });
      // The first start on a machine with Docker builds the stand-in reducer image, so steps run in containers.
      if (config.executor.kind !== 'local') await ensureReducerImage({ image: config.executor.image, dockerHost: config.executor.dockerHost, log });
      const server = await startServer(config, log).catch(fail);
      stopOnSignals(log, () => server.stop());
    });
}
