// Logging: JSON lines (one event a line, constant messages, values in fields) for log shippers, or readable
// lines through pino-pretty when a person watches the terminal (LOG_FORMAT, default auto).
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export type LogFormat = 'auto' | 'json' | 'pretty';

// The destinations of pretty loggers: children share their parent's stream, so one lookup answers for all of them.
const prettyStreams = new WeakSet<object>();

/** auto: pretty when the destination is a terminal (a test's in-memory stream or a pipe gets JSON). */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout, format: LogFormat = 'auto'): Logger {
  const isTty = (destination as { isTTY?: boolean }).isTTY === true;
  const options = { level, base: { service: 'drsoda' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json' || (format === 'auto' && !isTty)) return pino(options, destination);
  const stream = pretty({
    destination,
    sync: true,
    colorize: isTty,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,reqId',
    // A request reads as the access-log line it is; a warning that names its fix says so in words.
    messageFormat: (l, key) =>
      l[key] === 'request' ? `${l.method} ${l.path} ${l.status} ${l.ms} ms`
      : l.reason && l.fix ? `${l[key]}: ${l.reason}; fix: ${l.fix}`
      : String(l[key]),
  });
  prettyStreams.add(stream);
  return pino(options, stream);
}

/** True when the logger (or its parent) writes readable lines for a person rather than JSON for a shipper. */
export function writesForPeople(log: Logger): boolean {
  const stream = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return typeof stream === 'object' && stream !== null && prettyStreams.has(stream);
}
