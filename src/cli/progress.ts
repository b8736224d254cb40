// Progress of long CLI work (ingest, simulate, watch catch-up, bench): a cli-progress bar on a terminal, and where
// nobody watches (a pipe, a log file, CI) a `progress` log line every few seconds instead of redrawn bars.
import cliProgress from 'cli-progress';
import type { Logger } from '../logger.js';

export interface Progress {
  /** done of total (total may grow, as when files land during a catch-up); detail: what is in hand now. */
  update(done: number, total?: number, detail?: string): void;
  /** A line for the reader: above the bar on a terminal, as it is on the out stream otherwise. */
  note(line: string): void;
  /** Draws the final state and releases the terminal; idempotent. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being done: 'ingest', 'simulate'... (the bar's prefix and the log lines' task field). */
  task: string;
  total: number;
  /** What is counted: files, frames, benchmarks. */
  unit: string;
  log: Logger;
  /** Where the bar is drawn (default stderr, so stdout keeps only the command's report). */
  stream?: NodeJS.WriteStream;
  /** Where notes go when there is no bar (default stdout). */
  out?: NodeJS.WritableStream;
  /** Between two log lines when there is no terminal. */
  everyMs?: number;
  /** true/false forces the bar on or off (tests); default: the stream is a terminal. */
  terminal?: boolean;
}

export const PROGRESS_LOG_EVERY_MS = 5000;

export function startProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (o.terminal ?? stream.isTTY === true) return barProgress(o, stream);
  return loggedProgress(o);
}

function barProgress(o: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      // Our own estimate: cli-progress's shows 'NF' until the first unit is done.
      format: `${o.task} [{bar}] {value}/{total} ${o.unit} | {percentage}% | {duration_formatted} (eta {etaText}) {detail}`,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
      fps: 5,
      // The bar is only created on a terminal (startProgress), where cli-progress would draw anyway.
      noTTYOutput: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let total = o.total;
  const etaText = (done: number) => {
    if (done <= 0 || total <= 0) return '?';
    const s = Math.round(((Date.now() - started) / 1000 / done) * Math.max(total - done, 0));
    return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
  };
  const bar = multi.create(Math.max(total, 1), 0, { detail: '', etaText: '?' });
  let stopped = false;
  return {
    update(done, t, detail) {
      if (stopped) return;
      if (t !== undefined) {
        total = t;
        bar.setTotal(Math.max(t, 1));
      }
      bar.update(done, { detail: detail ?? '', etaText: etaText(done) });
    },
    note(line) {
      if (!stopped) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.update();
      multi.stop();
    },
  };
}

function loggedProgress(o: ProgressOptions): Progress {
  const every = o.everyMs ?? PROGRESS_LOG_EVERY_MS;
  const out = o.out ?? process.stdout;
  let done = 0;
  let total = o.total;
  let last = Date.now();
  let stopped = false;
  let logged = false;
  const started = Date.now();
  const line = (detail?: string) =>
    o.log.info({ task: o.task, done, total, unit: o.unit, percent: total ? Math.floor((100 * done) / total) : 0, seconds: Math.round((Date.now() - started) / 1000), ...(detail ? { detail } : {}) }, 'progress');
  return {
    update(d, t, detail) {
      done = d;
      if (t !== undefined) total = t;
      if (!stopped && Date.now() - last >= every) {
        last = Date.now();
        logged = true;
        line(detail);
      }
    },
    note(l) {
      out.write(`${l}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // Work short enough to log nothing on the way logs nothing at the end either: its own report says it all.
      if (logged) line();
    },
  };
}
