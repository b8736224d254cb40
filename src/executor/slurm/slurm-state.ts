// What a Slurm job state means for a drsoda step: still running, or an outcome the step runner reports.
// The job's own exit marker (written by the job script, see job-script.ts) is the first source of truth; the
// Slurm state decides only when the script could not write it (killed, node lost, preempted).
import type { RunFailure } from '../types.js';

/** States in which Slurm still holds the job (squeue's long names, 22.05). */
const ACTIVE = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED',
  'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD',
]);

/**
 * What the job script writes into its exit marker: the command's exit status, `timeout`, or `noinputs` (a step
 * submitted ahead with the DAG whose inputs never appeared).
 */
export type ExitMarker = { exitCode: number } | { timeout: true } | { noInputs: true };

export type SlurmOutcome =
  | { done: false }
  | { done: true; exitCode: number | null; failure?: RunFailure; message?: string };

export function isActiveState(state: string): boolean {
  return ACTIVE.has(state.split(/\s/)[0].toUpperCase());
}

export function parseExitMarker(text: string): ExitMarker | null {
  const t = text.trim();
  if (t === 'timeout') return { timeout: true };
  if (t === 'noinputs') return { noInputs: true };
  return /^\d+$/.test(t) ? { exitCode: Number(t) } : null;
}

/**
 * The step's outcome from what is known: the exit marker (if the script wrote one), the Slurm state (if Slurm
 * still reports the job), Slurm's exit code `N:S`, and whether drsoda cancelled the job itself.
 */
export function slurmOutcome(o: { marker: ExitMarker | null; state: string | null; exitCode?: string; cancelledByUs: boolean; timeoutS: number; slurmJobId: string }): SlurmOutcome {
  const id = `Slurm job ${o.slurmJobId}`;
  if (o.marker) {
    if ('noInputs' in o.marker) return { done: true, exitCode: null, failure: 'transient', message: `${id} waited ${o.timeoutS} s for its inputs, which never appeared` };
    if ('timeout' in o.marker) return { done: true, exitCode: null, failure: 'timeout', message: `step exceeded its timeout of ${o.timeoutS} s and was killed (${id})` };
    return { done: true, exitCode: o.marker.exitCode };
  }
  if (o.state === null) {
    return { done: true, exitCode: null, failure: 'transient', message: `${id} is unknown to Slurm and left no exit marker` };
  }
  const state = o.state.split(/\s/)[0].toUpperCase();
  if (ACTIVE.has(state)) return { done: false };
  switch (state) {
    case 'COMPLETED':
    case 'FAILED': {
      // The script ended without its marker: the shell itself failed (bad node set-up, missing runtime).
      const code = Number((o.exitCode ?? '').split(':')[0]);
      return { done: true, exitCode: null, failure: 'transient', message: `${id} ended ${state}${Number.isFinite(code) && o.exitCode ? ` (exit ${o.exitCode})` : ''} without an exit marker` };
    }
    case 'TIMEOUT':
    case 'DEADLINE':
      return { done: true, exitCode: null, failure: 'timeout', message: `${id} reached its Slurm time limit (${state})` };
    case 'OUT_OF_MEMORY':
      return { done: true, exitCode: null, failure: 'oom', message: `${id} ran out of memory` };
    case 'CANCELLED':
      return o.cancelledByUs
        ? { done: true, exitCode: null, failure: 'aborted', message: 'step aborted' }
        : { done: true, exitCode: null, failure: 'transient', message: `${id} was cancelled outside drsoda` };
    case 'NODE_FAIL':
    case 'PREEMPTED':
    case 'BOOT_FAIL':
    case 'REVOKED':
    default:
      return { done: true, exitCode: null, failure: 'transient', message: `${id} ended ${state}` };
  }
}
