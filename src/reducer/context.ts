// What every operation gets: the parsed parameters, where to read and write, and the report.
import type { Params } from './params.js';
import type { Report } from './report.js';
import type { Workspace } from './workspace.js';

export interface OpContext {
  operation: string;
  params: Params;
  ws: Workspace;
  report: Report;
  /** Time stamped into DATE (the only time-dependent card). */
  now: Date;
}

export interface Operation {
  /** 2dFdr's action name, as printed in `Action "<ACTION>", Task ..., completed.` */
  action: string;
  /** true: run once per input file; false: once with all inputs (combine, splice). */
  perFile: boolean;
  /** Checks the parameters before anything is read (2dFdr's *_ARG_CHECKS). */
  check?(ctx: OpContext): void;
  run(ctx: OpContext, files: string[]): Promise<void>;
}
