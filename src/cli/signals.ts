// How a long-running subcommand (serve, worker, watch) ends: the first SIGTERM or SIGINT stops it in order and
// exits 0 (1 with one line if stopping fails); a second signal exits 130 at once, for an operator who gives up.
import type { Logger } from '../logger.js';
import { fail } from './context.js';

export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    log.info({ signal: sig }, 'signal received; stopping');
    stop().then(() => process.exit(0), fail);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
