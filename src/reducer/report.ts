// aaorun's stdout, framed like 2dFdr's (domain notes section 3.3) so wrappers that look for
// `Action "EXIT", Task "CMDnnnnn", completed.` (SAMI, Hector) or the exit code (PY2DFDR) both work.

export class Report {
  readonly proc: string;
  readonly task: string;

  constructor(
    private readonly write: (line: string) => void,
    id: number,
  ) {
    const n = String(id % 100000).padStart(5, '0');
    this.proc = `AAO${n}`;
    this.task = `CMD${n}`;
  }

  start(cwd: string, argv: readonly string[]): void {
    this.write('===============================');
    this.write(`AAO Run Process ${this.proc}:`);
    this.write('===============================');
    this.write(`OBEY CHANGE_WD TO ${cwd}`);
    this.write(`aaorun:Main about to call aaorunCmd:${argv.join(' ')} -taskname ${this.task}`);
  }

  /** Announces one action on one file (2dFdr runs make_tlm as action REDUCE_FFLAT). */
  begin(operation: string, action: string, file: string | undefined): void {
    this.write(file ? `Executing 2DFdr Command: ${operation} on file ${file}` : `Executing 2DFdr Command: ${operation}`);
    this.write(`About to activate new task ${this.task} to perfom ${action}`);
  }

  info(message: string): void {
    for (const line of message.split('\n')) this.write(`${this.proc}:${this.task}:${line}`);
  }

  warn(message: string): void {
    this.info(`WARNING: ${message}`);
  }

  completed(action: string): void {
    this.write(`${this.proc}:Action "${action}", Task "${this.task}", completed.`);
  }

  /** The success trailer; the only place the EXIT line is printed. */
  finish(): void {
    this.write(`Drama Task ${this.task} Completed`);
    this.write(`${this.proc}:Action "EXIT", Task "${this.task}", completed.`);
    this.footer();
  }

  /** The failure trailer: the error, the failed action, and no EXIT-completed line. */
  failed(action: string, message: string): void {
    for (const line of message.split('\n')) this.write(`${this.proc}:${this.task}:##!! Error: ${line}`);
    this.write(`${this.proc}:Action "${action}", Task "${this.task}", failed.`);
    this.write(`Drama Task ${this.task} Failed`);
    this.footer();
  }

  private footer(): void {
    this.write('========================================');
    this.write(`Exiting AAO Run Process ${this.proc}`);
    this.write('=======================================');
  }
}
