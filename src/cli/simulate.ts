// `drsoda simulate`: writes one simulated 2dF-AAOmega night (raw frames of both arms + truth file).
import type { Command } from 'commander';
import { simulateNight } from '../simulate/index.js';
import { createLogger } from '../logger.js';
import { cliContext, fail } from './context.js';
import { startProgress } from './progress.js';

/** Strict integer parsing: '3x' and '' become NaN, which simulateNight rejects naming the option. */
const integer = (v: string) => (/^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN);

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a night of raw 2dF-AAOmega frames as DIR/YYMMDD/ccd_1|ccd_2/DDmmmCRRRR.fits')
    .requiredOption('--out <dir>', 'archive root to write the night into')
    .requiredOption('--night <date>', 'UT date YYYY-MM-DD')
    .option('--fields <n>', '2dF fields (configurations), plates alternate 0/1', integer, 2)
    .option('--objects <k>', 'object exposures per field', integer, 3)
    .option('--size <size>', 'full (2070 x 4098, 17 MB a frame) or small (272 x 4098, 2.2 MB)', 'full')
    .option('--seed <s>', 'random seed; the same seed gives identical files', integer, 1)
    .option('--concurrency <n>', 'worker threads (default: available cores; 0 = none)', integer)
    .action(async (o: { out: string; night: string; fields: number; objects: number; size: string; seed: number; concurrency?: number }) => {
      const { config } = cliContext();
      const progress = startProgress({ task: 'simulate', total: 0, unit: 'frames', log: createLogger(config.logLevel, process.stderr, config.logFormat), everyMs: config.progressLogS * 1000 });
      const s = await simulateNight(
        { outDir: o.out, night: o.night, fields: o.fields, objects: o.objects, size: o.size as 'full' | 'small', seed: o.seed, concurrency: o.concurrency },
        (written, total) => progress.update(written, total),
      ).catch((err) => {
        progress.stop();
        return fail(err);
      });
      progress.stop();
      const mb = (s.totalBytes / 1e6).toFixed(0);
      process.stdout.write(
        `simulated ${s.night} (${s.size}, seed ${s.seed}): ${s.exposures} exposures, ${s.frames.length} frames, ${mb} MB ` +
          `in ${(s.elapsedMs / 1000).toFixed(1)} s on ${s.concurrency || 1} thread(s)\n` +
          `night directory: ${s.nightDir}\ntruth: ${s.truthFile}\n`,
      );
    });
}
