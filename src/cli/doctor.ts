// `drsoda doctor`: checks the database, Docker and the pipeline image, disk space, the archive root and SMTP,
// and prints what to fix. Exit code 1 when a check fails (warnings alone exit 0), for scripts and CI.
import type { Command } from 'commander';
import { renderDoctor, runDoctor } from '../ops/doctor.js';
import { cliContext, fail } from './context.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the database, Docker, the pipeline image, disk space, the archive root, SMTP and Slurm; print what to fix')
    .option('--json', 'print the findings as JSON')
    .option('--min-free-gb <n>', 'warn below this much free space on DATA_DIR (GiB)', '10')
    .option('--timeout <s>', 'time each check may take (seconds)', '10')
    .action(async (opts: { json?: boolean; minFreeGb: string; timeout: string }) => {
      const minFreeGiB = Number(opts.minFreeGb);
      const timeoutS = Number(opts.timeout);
      if (!(minFreeGiB >= 0) || !(timeoutS > 0)) fail(new Error('--min-free-gb must be >= 0 and --timeout > 0'));
      // Quiet logs: the report is the output.
      const { config, log } = cliContext({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
      const results = await runDoctor(config, log, { minFreeGiB, timeoutMs: timeoutS * 1000 }).catch(fail);
      process.stdout.write(opts.json ? `${JSON.stringify({ checks: results }, null, 2)}\n` : renderDoctor(results));
      process.exit(results.some((r) => r.status === 'fail') ? 1 : 0);
    });
}
