// `drsoda frames`: the archive listing on the command line (the same filters as GET /api/frames).
import type { Command } from 'commander';
import { frameJson } from '../archive/frame-json.js';
import { parseFrameQuery } from '../archive/frame-query.js';
import { createLogger } from '../logger.js';
import type { ArchivedFrame } from '../domain/frame.js';
import { cliContext, fail } from './context.js';
import { openCliServices } from './open-db.js';

interface FramesOptions {
  night?: string[];
  arm?: string[];
  class?: string[];
  field?: string[];
  object?: string[];
  limit?: string;
  offset?: string;
  json: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Fixed-width text table: one frame per line, the ID first so it can be copied into a request. */
export function framesTable(frames: ArchivedFrame[]): string {
  const rows = frames.map((f) => [f.id, f.ndfClass, f.object || '-', f.field || '-', f.plate ?? '-', f.exposedS, f.utStart || '-', f.relPath].map(String));
  const head = ['ID', 'CLASS', 'OBJECT', 'FIELD', 'PLATE', 'EXPOSED', 'UTSTART', 'FILE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function registerFrames(program: Command): void {
  program
    .command('frames')
    .description('list indexed raw frames (filters repeat or take comma-separated values)')
    .option('--night <YYYY-MM-DD>', 'observing night', collect)
    .option('--arm <blue|red>', 'spectrograph arm (blue = ccd 1, red = ccd 2)', collect)
    .option('--class <NDFCLASS>', 'frame class, e.g. MFOBJECT, MFARC, MFFFF, BIAS', collect)
    .option('--field <name>', '2dF configuration (CFG_FILE, with or without .sds)', collect)
    .option('--object <name>', 'OBJECT keyword', collect)
    .option('--limit <n>', 'at most this many frames (1-1000, default 100)')
    .option('--offset <n>', 'skip this many frames')
    .option('--json', 'print the JSON document GET /api/frames returns', false)
    .action(async (opts: FramesOptions) => {
      const { config } = cliContext();
      let q;
      try {
        q = parseFrameQuery({ night: opts.night, arm: opts.arm, class: opts.class, field: opts.field, object: opts.object, limit: opts.limit, offset: opts.offset });
      } catch (err) {
        fail(err);
      }
      const log = createLogger(config.logLevel, process.stderr, config.logFormat);
      const { factory, close } = await openCliServices(config, log, 'drsoda-frames').catch(fail);
      try {
        const archive = factory.archive();
        const { total, frames } = await archive.list(q);
        if (opts.json) {
          const o = { baseUrl: config.baseUrl, authority: config.ivoAuthority };
          process.stdout.write(`${JSON.stringify({ total, offset: q.offset, limit: q.limit, frames: frames.map((f) => frameJson(f, o)) }, null, 2)}\n`);
        } else {
          if (frames.length) process.stdout.write(`${framesTable(frames)}\n`);
          process.stdout.write(`${frames.length} of ${total} frames${q.offset + frames.length < total ? ` (more with --offset ${q.offset + frames.length})` : ''}\n`);
        }
      } catch (err) {
        await close();
        fail(err);
      }
      await close();
    });
}
