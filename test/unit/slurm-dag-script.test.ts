// The job script of a step handed to Slurm ahead with its DAG (SLURM_SUBMIT=dag): it waits for its parents'
// products before running, and gives up with the `noinputs` marker (a transient failure) when they never come.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobScript } from '../../src/executor/slurm/job-script.js';
import { parseExitMarker, slurmOutcome } from '../../src/executor/slurm/slurm-state.js';

describe('the job script of a step handed over with the DAG', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const jobDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'drsoda-dagscript-'));
    dirs.push(d);
    mkdirSync(path.join(d, 'work'));
    return d;
  };

  it('runs only once the awaited input exists', async () => {
    const dir = jobDir();
    const input = path.join(dir, 'parent.fits');
    writeFileSync(path.join(dir, 'run.sh'), jobScript({ runtime: 'native', jobDir: dir, aaorun: ['cp'], args: [input, 'out.fits'], inputs: [], timeoutS: 60, waitFor: [input] }));
    const child = spawn('bash', [path.join(dir, 'run.sh')], { env: { PATH: process.env.PATH } });
    const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Still waiting after a while: no marker, no output.
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(path.join(dir, 'exit'))).toBe(false);
    writeFileSync(input, 'made by the parent\n');
    expect(await ended).toBe(0);
    expect(readFileSync(path.join(dir, 'exit'), 'utf8')).toBe('0\n');
    expect(readFileSync(path.join(dir, 'work', 'out.fits'), 'utf8')).toBe('made by the parent\n');
  });

  it('gives up after the step timeout with the noinputs marker, a transient failure', () => {
    const dir = jobDir();
    writeFileSync(path.join(dir, 'run.sh'), jobScript({ runtime: 'native', jobDir: dir, aaorun: ['true'], args: [], inputs: [], timeoutS: 1, waitFor: [path.join(dir, 'never.fits')] }));
    const r = spawnSync('bash', [path.join(dir, 'run.sh')], { env: { PATH: process.env.PATH }, timeout: 20000 });
    expect(r.status).toBe(75);
    const marker = parseExitMarker(readFileSync(path.join(dir, 'exit'), 'utf8'));
    expect(marker).toEqual({ noInputs: true });
    expect(slurmOutcome({ marker, state: 'FAILED', cancelledByUs: false, timeoutS: 1, slurmJobId: '9' })).toEqual({
      done: true, exitCode: null, failure: 'transient', message: 'Slurm job 9 waited 1 s for its inputs, which never appeared',
    });
  });
});
