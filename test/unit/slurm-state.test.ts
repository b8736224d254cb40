// How Slurm job states and the job script's exit marker become step outcomes (executor/slurm/slurm-state.ts).
import { isActiveState, parseExitMarker, slurmOutcome } from '../../src/executor/slurm/slurm-state.js';

const base = { marker: null, cancelledByUs: false, timeoutS: 60, slurmJobId: '42' };

describe('Slurm states as step outcomes', () => {
  it('keeps waiting while Slurm holds the job', () => {
    for (const state of ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED']) {
      expect(isActiveState(state)).toBe(true);
      expect(slurmOutcome({ ...base, state })).toEqual({ done: false });
    }
  });

  it('trusts the exit marker first: exit status, or the script\'s own timeout', () => {
    expect(slurmOutcome({ ...base, marker: { exitCode: 0 }, state: 'RUNNING' })).toEqual({ done: true, exitCode: 0 });
    expect(slurmOutcome({ ...base, marker: { exitCode: 3 }, state: 'FAILED' })).toEqual({ done: true, exitCode: 3 });
    expect(slurmOutcome({ ...base, marker: { timeout: true }, state: null })).toMatchObject({ done: true, failure: 'timeout', message: expect.stringContaining('timeout of 60 s') });
  });

  it('maps the states of jobs that could not write their marker', () => {
    expect(slurmOutcome({ ...base, state: 'TIMEOUT' })).toMatchObject({ failure: 'timeout', message: 'Slurm job 42 reached its Slurm time limit (TIMEOUT)' });
    expect(slurmOutcome({ ...base, state: 'OUT_OF_MEMORY' })).toMatchObject({ failure: 'oom' });
    for (const state of ['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL']) expect(slurmOutcome({ ...base, state })).toMatchObject({ failure: 'transient', message: `Slurm job 42 ended ${state}` });
    expect(slurmOutcome({ ...base, state: 'FAILED', exitCode: '127:0' })).toMatchObject({ failure: 'transient', message: 'Slurm job 42 ended FAILED (exit 127:0) without an exit marker' });
    expect(slurmOutcome({ ...base, state: null })).toMatchObject({ failure: 'transient', message: 'Slurm job 42 is unknown to Slurm and left no exit marker' });
  });

  it('tells a cancel drsoda asked for (abort) from one made outside it (retried)', () => {
    expect(slurmOutcome({ ...base, state: 'CANCELLED', cancelledByUs: true })).toMatchObject({ failure: 'aborted' });
    expect(slurmOutcome({ ...base, state: 'CANCELLED by 0', cancelledByUs: false })).toMatchObject({ failure: 'transient', message: 'Slurm job 42 was cancelled outside drsoda' });
  });

  it('reads the marker strictly', () => {
    expect(parseExitMarker('0\n')).toEqual({ exitCode: 0 });
    expect(parseExitMarker('timeout\n')).toEqual({ timeout: true });
    expect(parseExitMarker('')).toBeNull();
    expect(parseExitMarker('-1')).toBeNull();
  });
});
