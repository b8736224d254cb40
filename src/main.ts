// Process entry: parse the command line and run the subcommand.
import { fail } from './cli/context.js';
import { buildCli } from './cli/index.js';

// Whatever a subcommand did not catch still ends as one line, not a stack.
await buildCli().parseAsync(process.argv).catch(fail);
