// The engine's operational events (node:diagnostics_channel): the scheduler publishes what it did without
// knowing who listens; the metrics registry (ops/metrics.ts) subscribes. Publishing with no subscriber is free.
import dc from 'node:diagnostics_channel';

export interface StepFinishedEvent {
  operation: string;
  /** ok, or the failure kind: fatal, transient, usage, aborted. */
  outcome: 'ok' | 'fatal' | 'transient' | 'usage' | 'aborted';
  durationMs: number;
}

export interface CacheLookupEvent {
  /** Steps of a submitted plan whose products were already there (verified). */
  hits: number;
  /** Steps that have to run (or are running for another job). */
  misses: number;
}

export const stepFinishedChannel = dc.channel('drsoda:step-finished');
export const cacheLookupChannel = dc.channel('drsoda:step-cache');

export function publishStepFinished(e: StepFinishedEvent): void {
  if (stepFinishedChannel.hasSubscribers) stepFinishedChannel.publish(e);
}

export function publishCacheLookup(e: CacheLookupEvent): void {
  if (cacheLookupChannel.hasSubscribers) cacheLookupChannel.publish(e);
}
