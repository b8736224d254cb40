// Process entry: parse the command line and run the subcommand.
import { buildCli } from './cli/index.js';

await buildCli().parseAsync(process.argv);
