// The `drsoda` command line: one subcommand per file in cli/, registered here.
import { Command } from 'commander';
import { version } from '../version.js';
import { registerDoctor } from './doctor.js';
import { registerFrames } from './frames.js';
import { addHelpExtras } from './help.js';
import { registerIngest } from './ingest.js';
import { registerMigrate } from './migrate.js';
import { registerPlan } from './plan.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerToken } from './token.js';
import { registerWatch } from './watch.js';
import { registerWorker } from './worker.js';

export function buildCli(): Command {
  const program = new Command('drsoda')
    .description('On-demand 2dF-AAOmega reductions with 2dFdr, served through IVOA UWS, SODA and DataLink')
    .version(version)
    .showHelpAfterError();
  registerServe(program);
  registerMigrate(program);
  registerToken(program);
  registerIngest(program);
  registerFrames(program);
  registerPlan(program);
  registerWorker(program);
  registerWatch(program);
  registerSimulate(program);
  registerDoctor(program);
  addHelpExtras(program);
  return program;
}
