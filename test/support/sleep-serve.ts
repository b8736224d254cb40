// `drsoda serve` with the tests' `sleep` job kind behind /soda/async instead of SODA reductions: the fault and load
// tests (test/chaos) kill and overload a real API process whose jobs need no archive, engine or pipeline.
import { cliContext, fail } from '../../src/cli/context.js';
import { stopOnSignals } from '../../src/cli/signals.js';
import { startServer } from '../../src/server.js';
import { createSleepRunner } from './sleep-runner.js';

const { config, log } = cliContext();
const server = await startServer(config, log, { asyncKind: createSleepRunner() }).catch(fail);
stopOnSignals(log, () => server.stop());
