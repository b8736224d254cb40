// Publisher DIDs of the raw archive: formatting and strict parsing of frame, field and night identifiers.
//
// Scheme (docs/archive.md): the raw-data collection is the resource `ivo://<authority>/aat`; the query
// part (IVOA Identifiers 2.0 section 3.3, "local part") names one frame or a selection:
//   frame  ivo://<authority>/aat?<YYYY-MM-DD>/ccd<N>/<run, 4+ digits>   e.g. .../aat?2014-09-26/ccd1/0023
//   field  ivo://<authority>/aat?<YYYY-MM-DD>/field/<CFG_FILE without .sds, percent-encoded>
//   night  ivo://<authority>/aat?<YYYY-MM-DD>
// They are derived from header values (UTDATE, SPECTID, RUN), not from file paths, so they survive a move
// of the archive, stay short (well under TOPCAT's 256-character columns) and never contain a path.
import { ServiceError, usageError } from '../errors.js';

export type DidRef =
  | { kind: 'frame'; night: string; ccd: 1 | 2; run: number }
  | { kind: 'field'; night: string; cfg: string }
  | { kind: 'night'; night: string };

/** The resource key of the raw collection under the authority. */
export const RAW_RESOURCE = 'aat';

const nightRe = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isNight(s: string): boolean {
  const m = nightRe.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Field names keep the characters 2dF configuration files use; anything else is percent-encoded. */
function encodeCfg(cfg: string): string {
  return Array.from(new TextEncoder().encode(cfg), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_.~+-]/.test(c) && b < 0x80 ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** The field key of a configuration file: CFG_FILE without a trailing .sds (case-insensitive). */
export function fieldOfCfg(cfgFile: string): string {
  return cfgFile.replace(/\.sds$/i, '');
}

function base(authority: string): string {
  return `ivo://${authority}/${RAW_RESOURCE}`;
}

export function formatFrameDid(authority: string, f: { night: string; ccd: 1 | 2; run: number }): string {
  return `${base(authority)}?${f.night}/ccd${f.ccd}/${String(f.run).padStart(4, '0')}`;
}

export function formatFieldDid(authority: string, f: { night: string; cfg: string }): string {
  return `${base(authority)}?${f.night}/field/${encodeCfg(fieldOfCfg(f.cfg))}`;
}

export function formatNightDid(authority: string, night: string): string {
  return `${base(authority)}?${night}`;
}

export function formatDid(authority: string, ref: DidRef): string {
  if (ref.kind === 'frame') return formatFrameDid(authority, ref);
  if (ref.kind === 'field') return formatFieldDid(authority, ref);
  return formatNightDid(authority, ref.night);
}

// Identifiers compare case-insensitively in the registry part (IVOA Identifiers 2.0 section 2.2).
const didRe = /^ivo:\/\/([^/?#]+)\/([^?#]+)\?([^#]*)$/i;
const frameLocal = /^(\d{4}-\d{2}-\d{2})\/ccd([12])\/(\d{1,6})$/;
const fieldLocal = /^(\d{4}-\d{2}-\d{2})\/field\/((?:[A-Za-z0-9_.~+-]|%[0-9A-F]{2})+)$/;

/**
 * Parses a DID issued by this service. Throws UsageError when the string is not one of our identifier
 * forms, NotFoundFault when it is well formed but names another authority (we cannot resolve it).
 * Only the canonical spelling is accepted (e.g. run zero-padded to 4 digits), so each frame has one ID.
 */
export function parseDid(authority: string, did: string): DidRef {
  if (did.length > 256 || /[\0\s]/.test(did)) throw usageError('ID is not a drsoda identifier');
  const m = didRe.exec(did);
  if (!m || m[2].toLowerCase() !== RAW_RESOURCE) throw usageError(`ID ${JSON.stringify(did)} is not a drsoda raw-frame identifier (expected ivo://${authority}/${RAW_RESOURCE}?...)`);
  if (m[1].toLowerCase() !== authority.toLowerCase()) {
    throw new ServiceError('NotFoundFault', `ID ${JSON.stringify(did)} belongs to authority ${m[1]}, not ${authority}`);
  }
  const local = m[3];
  let ref: DidRef | undefined;
  const fm = frameLocal.exec(local);
  const dm = fieldLocal.exec(local);
  if (fm) ref = { kind: 'frame', night: fm[1], ccd: Number(fm[2]) as 1 | 2, run: Number(fm[3]) };
  else if (dm) {
    let cfg: string;
    try {
      cfg = decodeURIComponent(dm[2]);
    } catch {
      throw usageError(`ID ${JSON.stringify(did)} has a malformed field name`);
    }
    ref = { kind: 'field', night: dm[1], cfg };
  } else if (nightRe.test(local)) ref = { kind: 'night', night: local };
  if (!ref || !isNight(ref.night)) throw usageError(`ID ${JSON.stringify(did)} is not a drsoda raw-frame identifier`);
  if (formatDid(authority, ref).slice(base(authority).length + 1) !== local) {
    throw usageError(`ID ${JSON.stringify(did)} is not in canonical form; use ${formatDid(authority, ref)}`);
  }
  return ref;
}

/** parseDid restricted to frame identifiers. */
export function parseFrameDid(authority: string, did: string): Extract<DidRef, { kind: 'frame' }> {
  const ref = parseDid(authority, did);
  if (ref.kind !== 'frame') throw usageError(`ID ${JSON.stringify(did)} names a ${ref.kind}, not a single frame`);
  return ref;
}
