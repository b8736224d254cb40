// `drsoda ingest [DIR]`: index the raw frames of the archive (or of one folder in it) and print counts.
import path from 'node:path';
import type { Command } from 'commander';
import { archiveRootOf } from '../archive/archive-root.js';
import { ingestArchive, type IngestReport } from '../archive/ingest.js';
import { createLogger } from '../logger.js';
import { isInside } from '../archive/safe-path.js';
import { cliContext, fail } from './context.js';
import { openCliDatabase } from './open-db.js';
import { startProgress } from './progress.js';

/** One line a person reads; the same facts as the serve-time log entry. */
export function ingestSummary(r: IngestReport): string {
  return `ingested ${r.root}: ${r.scanned} files scanned, ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ` +
    `${r.missing} newly missing, ${r.failed.length} failed (${(r.ms / 1000).toFixed(1)} s)`;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .argument('[dir]', 'folder to index: ARCHIVE_ROOT or a folder inside it (default ARCHIVE_ROOT, else the demo archive)')
    .description('index raw 2dF-AAOmega frames (headers, fibre tables, checksums) into the archive index; idempotent')
    .option('--verify', 're-hash files whose size and mtime did not change', false)
    .option('--json', 'print the report as JSON', false)
    .action(async (dir: string | undefined, opts: { verify: boolean; json: boolean }) => {
      const { config } = cliContext();
      // Logs go to stderr so stdout carries only the report (scripts parse --json).
      const log = createLogger(config.logLevel, process.stderr, config.logFormat);
      const configured = archiveRootOf(config);
      const target = dir ? path.resolve(dir) : undefined;
      // Without ARCHIVE_ROOT, a DIR argument is the archive to index; with it, DIR must lie inside it.
      const root = config.archiveRoot ?? target ?? configured;
      if (!root) fail(new Error('no archive to ingest: set ARCHIVE_ROOT or give a folder'));
      if (config.archiveRoot && target && !isInside(config.archiveRoot, target)) {
        fail(new Error(`${target} is outside ARCHIVE_ROOT (${config.archiveRoot}); set ARCHIVE_ROOT to index another archive`));
      }
      const db = await openCliDatabase(config, log, 'drsoda-ingest').catch(fail);
      let report: IngestReport;
      const progress = startProgress({ task: 'ingest', total: 0, unit: 'files', log, out: process.stderr, everyMs: config.progressLogS * 1000 });
      try {
        report = await ingestArchive({
          pool: db.pool, root, dir: target, authority: config.ivoAuthority, log, verify: opts.verify, lockWaitMs: 10 * 60_000,
          // The bar ends with the last file, before the warnings about failed files are logged below it.
          onProgress: (done, total) => (progress.update(done, total), done === total && total > 0 && progress.stop()),
        });
      } catch (err) {
        progress.stop();
        await db.close();
        fail(err);
      }
      progress.stop();
      await db.close();
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        process.stdout.write(`${ingestSummary(report)}\n`);
        for (const f of report.failed) process.stdout.write(`  not indexed: ${f.relPath}: ${f.error}\n`);
        for (const r of report.refused) process.stdout.write(`  refused (symlink leaves the archive): ${r}\n`);
      }
      if (!config.archiveRoot && target) process.stderr.write(`drsoda: serve these files with ARCHIVE_ROOT=${root}\n`);
    });
}
