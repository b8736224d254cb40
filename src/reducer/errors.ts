// Errors of the aaorun stand-in: each becomes one 2dFdr-style error line on stdout, a line on stderr
// and a non-zero exit status.

/** A reduction cannot proceed (missing calibration, unreadable input, nothing to trace...). Exit status 1. */
export class ReducerError extends Error {
  override name = 'ReducerError';
  readonly exitCode: number = 1;
}

/** The command line or .idx file is wrong (unknown operation, option without value...). Exit status 2. */
export class ReducerUsageError extends ReducerError {
  override name = 'ReducerUsageError';
  override readonly exitCode: number = 2;
}
