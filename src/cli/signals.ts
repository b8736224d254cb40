// How a long-running subcommand (serve, worker, watch) ends: the first SIGTERM or SIGINT stops it in order and
// exits 0 (1 with one line if stopping fails); a second signal exits 130 at once, for an operator who gives up.
import type { Logger } from '../logger.js';
import { fail } from './context.js';

/**
 * o.signals: the signals that stop (default SIGTERM and SIGINT). The API processes of API_PROCESSES > 1 stop on
 * their primary's SIGTERM only and ignore SIGINT, which a terminal sends the whole process group: the primary
 * stops them in order.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>, o: { signals?: NodeJS.Signals[] } = {}): void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    log.info({ signal: sig }, 'signal received; stopping');
    stop().then(() => process.exit(0), fail);
  };
  const signals_ = o.signals ?? ['SIGTERM', 'SIGINT'];
  for (const s of signals_) process.on(s, onSignal);
  if (!signals_.includes('SIGINT')) process.on('SIGINT', () => {});
}
