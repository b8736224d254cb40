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

/** Prints a one-line failure (no stack for expected errors) and exits 1. */
export function fail(err: unknown): never {
  process.stderr.write(`drsoda: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
}
