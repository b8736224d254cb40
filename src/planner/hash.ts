// Canonical JSON and content hashes for step ids: equal values give equal text whatever their key order.
import { createHash } from 'node:crypto';
import { STEP_ID_HEX_DIGITS } from './recipe-version.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

/** JSON with object keys sorted at every level (undefined members dropped); arrays keep their order. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value as Json), null, indent);
}

function sortKeys(v: Json | undefined): Json | undefined {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x) ?? null);
  if (v && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) {
      const x = sortKeys(v[k]);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  return v;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Nested arrays of strings: their JSON is canonical without any key sorting. */
export type Identity = string | Identity[];

/** A step id: the truncated sha256 of the JSON of its identity. */
export function contentId(identity: Identity[]): string {
  return sha256Hex(JSON.stringify(identity)).slice(0, STEP_ID_HEX_DIGITS);
}
