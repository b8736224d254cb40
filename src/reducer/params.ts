// Reduction parameters: the built-in defaults, then the .idx settings, then the command line, as
// 2dFdr layers them; typed accessors name the parameter when a value is malformed.
import { ReducerUsageError } from './errors.js';

export type ParamSource = 'default' | 'idx' | 'command line';

interface Entry {
  value: string;
  source: ParamSource;
}

const truthy = new Set(['1', 'T', 'TRUE', 'Y', 'YES', 'ON']);
const falsy = new Set(['0', 'F', 'FALSE', 'N', 'NO', 'OFF']);

export class Params {
  private readonly map = new Map<string, Entry>();

  set(name: string, value: string, source: ParamSource): this {
    const key = name.toUpperCase();
    this.map.delete(key); // keep the order of the latest setting
    this.map.set(key, { value, source });
    return this;
  }

  has(name: string): boolean {
    return this.map.has(name.toUpperCase());
  }

  source(name: string): ParamSource | undefined {
    return this.map.get(name.toUpperCase())?.source;
  }

  /** The value, or `fallback` when unset. */
  string(name: string, fallback = ''): string {
    return this.map.get(name.toUpperCase())?.value ?? fallback;
  }

  /** A file-name parameter: undefined when unset, blank or NONE. */
  file(name: string): string | undefined {
    const v = this.string(name).trim();
    return v === '' || v.toUpperCase() === 'NONE' ? undefined : v;
  }

  /** 0/1, T/F, TRUE/FALSE, YES/NO, ON/OFF (any case). Throws ReducerUsageError for anything else. */
  bool(name: string, fallback = false): boolean {
    const e = this.map.get(name.toUpperCase());
    if (!e) return fallback;
    const v = e.value.trim().toUpperCase();
    if (truthy.has(v)) return true;
    if (falsy.has(v)) return false;
    throw new ReducerUsageError(`${name.toUpperCase()} must be 0/1 (or TRUE/FALSE), got ${JSON.stringify(e.value)} from the ${e.source}`);
  }

  /** A finite number. Throws ReducerUsageError otherwise. */
  number(name: string, fallback: number): number {
    const e = this.map.get(name.toUpperCase());
    if (!e) return fallback;
    const v = Number(e.value);
    if (e.value.trim() === '' || !Number.isFinite(v)) throw new ReducerUsageError(`${name.toUpperCase()} must be a number, got ${JSON.stringify(e.value)} from the ${e.source}`);
    return v;
  }

  /** Every parameter as [NAME, value], for the REDUCTION_ARGS table. */
  entries(): [string, string][] {
    return [...this.map].map(([k, e]) => [k, e.value]);
  }
}
