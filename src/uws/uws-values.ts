// Parsing of UWS control values (PHASE, WAIT, EXECUTIONDURATION, DESTRUCTION, AFTER, LAST) and the
// keyset cursor of the job list. Pure; every bad value throws a UsageError naming the parameter.
import { usageError } from '../errors.js';
import { isPhase, type Phase } from '../domain/job.js';

// ISO 8601 as UWS clients send it: pyvo writes %Y-%m-%dT%H:%M:%S.%f with 6 fraction digits and
// maybe no zone; we accept 0-9 fraction digits, Z, an offset, or no zone (read as UTC).
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO 8601 instant; fractions beyond milliseconds are truncated. */
export function parseInstant(name: string, v: string): Date {
  const m = isoPattern.exec(v.trim());
  if (!m) throw usageError(`${name} must be an ISO 8601 time such as 2025-03-01T10:00:00.000Z (got ${JSON.stringify(v)})`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
  const back = new Date(t);
  // Date.UTC silently rolls over (month 13, hour 25): reject anything that does not round-trip.
  if (back.getUTCMonth() !== +mo - 1 || back.getUTCDate() !== +d || back.getUTCHours() !== +h || back.getUTCMinutes() !== +mi || back.getUTCSeconds() !== +s) {
    throw usageError(`${name} is not a valid time (got ${JSON.stringify(v)})`);
  }
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const z = zone.replace(':', '');
    offsetMin = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  return new Date(t - offsetMin * 60000);
}

export type PhaseAction = 'RUN' | 'ABORT' | 'SUSPEND';

/** POST /phase: RUN, ABORT or SUSPEND, in any case (astroquery sends `phase=run`). */
export function parsePhaseAction(v: string | undefined): PhaseAction {
  const a = v?.trim().toUpperCase();
  if (a === 'RUN' || a === 'ABORT' || a === 'SUSPEND') return a;
  throw usageError(v === undefined ? 'PHASE is required (RUN or ABORT)' : `PHASE must be RUN or ABORT (got ${JSON.stringify(v)})`);
}

/** Non-negative integer seconds (0 = unlimited). */
export function parseExecutionDuration(v: string | undefined): number {
  if (v === undefined) throw usageError('EXECUTIONDURATION is required');
  if (!/^\s*\+?\d{1,10}\s*$/.test(v) || Number(v) > 2147483647) {
    throw usageError(`EXECUTIONDURATION must be a whole number of seconds, 0 for unlimited (got ${JSON.stringify(v)})`);
  }
  return Number(v);
}

/** WAIT=n seconds; -1 (or any negative) waits as long as the server allows. */
export function parseWait(v: string): number {
  if (!/^\s*[+-]?\d{1,10}\s*$/.test(v)) throw usageError(`WAIT must be a whole number of seconds, -1 for as long as allowed (got ${JSON.stringify(v)})`);
  const n = Number(v);
  return n < 0 ? Infinity : n;
}

/** Job list PHASE filters: each must be a UWS phase (in any case). */
export function parsePhaseFilter(values: string[]): Phase[] | undefined {
  if (!values.length) return undefined;
  return values.map((v) => {
    const p = v.trim().toUpperCase();
    if (!isPhase(p)) throw usageError(`PHASE must be a UWS phase such as EXECUTING (got ${JSON.stringify(v)})`);
    return p;
  });
}

export function parseLast(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\s*\+?\d{1,9}\s*$/.test(v) || Number(v) === 0) throw usageError(`LAST must be a positive whole number (got ${JSON.stringify(v)})`);
  return Number(v);
}

/** Keyset cursor of the job list extension (docs/uws.md): opaque to clients, (creationTime, id) inside. */
export function encodeCursor(c: { creationTime: Date; id: string }): string {
  return Buffer.from(`${c.creationTime.toISOString()} ${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(v: string): { creationTime: Date; id: string } {
  const [t, id, extra] = Buffer.from(v, 'base64url').toString('utf8').split(' ');
  const creationTime = new Date(t);
  if (!id || extra !== undefined || Number.isNaN(creationTime.getTime()) || creationTime.toISOString() !== t) {
    throw usageError('CURSOR is not a cursor this service gave out');
  }
  return { creationTime, id };
}
