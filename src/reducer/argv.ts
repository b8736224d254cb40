// aaorun's command line: `aaorun <operation> <file(s)> -idxfile F [-OPTION value ...]`, as 2dFdr >= 6
// takes it (domain notes section 3.1): option names case-insensitive, every option followed by one
// value, several input files in one space-separated argument.
import { ReducerUsageError } from './errors.js';

export interface Invocation {
  /** Lower-case operation name. */
  operation: string;
  /** Input files in the order given (split from the file argument on blanks). */
  files: string[];
  /** Option values by upper-case name, in command-line order (the last repeat wins). */
  options: Map<string, string>;
}

/** Operations that take no input file argument. */
const noFileOperations = new Set(['list', 'version', 'help', 'examples']);

/** Parses argv (without node and script); throws ReducerUsageError naming what is wrong. */
export function parseArgv(argv: readonly string[]): Invocation {
  if (argv.length === 0) throw new ReducerUsageError('no operation given (try: aaorun help)');
  const operation = argv[0].toLowerCase();
  if (operation.startsWith('-')) throw new ReducerUsageError(`expected an operation before the options, got ${argv[0]}`);
  let i = 1;
  const files: string[] = [];
  if (i < argv.length && !argv[i].startsWith('-')) {
    files.push(...argv[i].split(/\s+/).filter(Boolean));
    i++;
  }
  if (!noFileOperations.has(operation) && files.length === 0) throw new ReducerUsageError(`${operation} needs an input file argument`);
  const options = new Map<string, string>();
  while (i < argv.length) {
    const tok = argv[i];
    if (!tok.startsWith('-') || tok.length < 2) throw new ReducerUsageError(`unexpected argument ${JSON.stringify(tok)}: options are written -NAME value`);
    if (i + 1 >= argv.length) throw new ReducerUsageError(`option ${tok} needs a value`);
    const name = tok.slice(1).toUpperCase();
    options.delete(name);
    options.set(name, argv[i + 1]);
    i += 2;
  }
  return { operation, files, options };
}
