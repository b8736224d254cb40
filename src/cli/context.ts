// Shared start-up for subcommands: configuration (exit 2 on a bad variable) and the logger.
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

export interface CliContext {
  config: Config;
  log: Logger;
}

/** overrides: settings given as command-line options, which win over the environment. */
export function cliContext(overrides: Record<string, string | undefined> = {}): CliContext {
  try {
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    const config = loadConfig({ ...process.env, ...defined });
    return { config, log: createLogger(config.logLevel, process.stdout, config.logFormat) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`drsoda: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** What went wrong, on one line, whatever was thrown (libraries reject with undefined, strings, objects). */
export function failureLine(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : err === undefined || err === null ? '' : String((err as { message?: unknown }).message ?? JSON.stringify(err));
  return text.replace(/\s+/g, ' ').trim() || 'failed without saying why (set LOG_LEVEL=debug for the details)';
}

/** Prints a one-line failure (no stack; LOG_LEVEL=debug adds it) and exits 1. */
export function fail(err: unknown): never {
  process.stderr.write(`drsoda: ${failureLine(err)}\n`);
  if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
