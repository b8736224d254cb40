// Process entry of aaorun (bin/aaorun.js locally, the bundled entry in the Docker image). Lines are
// written as they are produced, so a caller streaming stdout sees the reduction progress live.
import { runAaorun } from './main.js';

process.exitCode = await runAaorun(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
  pid: process.pid,
  now: new Date(),
});
