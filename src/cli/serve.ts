// `drsoda serve`: the HTTP API (and, from the execution issue on, a worker).
import type { Command } from 'commander';
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
      // Handlers before "drsoda listening" is logged: a signal that follows that line at once still stops in order.
      const starting = startServer(config, log);
      stopOnSignals(log, async () => (await starting).stop());
      await starting.catch(fail);
    });
}
