// Injected time, so destruction, deadlines, leases and backoff are testable without sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
