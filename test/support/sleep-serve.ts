// `drsoda serve` with the tests' `sleep` job kind behind /soda/async instead of SODA reductions: the fault and load
// tests (test/chaos) kill and overload a real API process whose jobs need no archive, engine or pipeline.
// API_PROCESSES > 1 forks that many, as `drsoda serve` does (test/integration/api-processes.test.ts).
import { cliContext, fail } from '../../src/cli/context.js';
import { isApiProcess, serve } from '../../src/cli/api-processes.js';
import { stopOnSignals } from '../../src/cli/signals.js';
import { createSleepRunner } from './sleep-runner.js';

const { config, log } = cliContext();
const server = await serve(config, log, { asyncKind: createSleepRunner() }).catch(fail);
stopOnSignals(log, () => server.stop(), { signals: isApiProcess() ? ['SIGTERM'] : undefined });
