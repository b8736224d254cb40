// 2dFdr .idx parameter files (domain notes section 3.2): `#` comments and the directives
// DRC_INCLUDE <file>, DRC_OVERRIDE_PAR <NAME> <VALUE> [GROUP], DRC_CONST_PAR <NAME> <VALUE> [GROUP].
import path from 'node:path';
import { ReducerUsageError } from './errors.js';

export interface IdxSetting {
  name: string;
  value: string;
  /** Where it was set, for messages: file:line. */
  origin: string;
}

export type IdxLine = { kind: 'include'; file: string; origin: string } | ({ kind: 'set' } & IdxSetting) | { kind: 'ignored'; text: string; origin: string };

/** Splits a line into blank-separated tokens, keeping quoted strings whole and stopping at an unquoted #. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') break;
    if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, i + 1);
      out.push(end < 0 ? line.slice(i + 1) : line.slice(i + 1, end));
      i = end < 0 ? line.length : end + 1;
      continue;
    }
    let j = i;
    while (j < line.length && !/[\s#]/.test(line[j])) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

/** Parses the text of one .idx file (no includes followed). Throws ReducerUsageError for malformed directives. */
export function parseIdx(text: string, file: string): IdxLine[] {
  const lines: IdxLine[] = [];
  text.split('\n').forEach((raw, n) => {
    const origin = `${file}:${n + 1}`;
    const t = tokenize(raw);
    if (t.length === 0) return;
    const directive = t[0].toUpperCase();
    if (directive === 'DRC_INCLUDE') {
      if (t.length < 2) throw new ReducerUsageError(`${origin}: DRC_INCLUDE needs a file name`);
      lines.push({ kind: 'include', file: t[1], origin });
    } else if (directive === 'DRC_OVERRIDE_PAR' || directive === 'DRC_CONST_PAR') {
      if (t.length < 3) throw new ReducerUsageError(`${origin}: ${directive} needs a parameter name and a value`);
      lines.push({ kind: 'set', name: t[1].toUpperCase(), value: t[2], origin });
    } else {
      // 2dFdr's idx files have other sections (GUI layout, file lists) this stand-in has no use for.
      lines.push({ kind: 'ignored', text: raw.trim(), origin });
    }
  });
  return lines;
}

export interface IdxSource {
  /** Text of a file by absolute path, or undefined when there is none. */
  read(file: string): string | undefined;
  /** Base files 2dFdr ships in its share directory (aaomega.idx...), by base name. */
  builtin(name: string): string | undefined;
}

/**
 * Loads an .idx file and its includes depth-first, in order, so later settings override earlier ones.
 * Includes are looked up next to the including file, then among the built-in base files.
 */
export function loadIdx(file: string, src: IdxSource, depth = 0, seen: string[] = []): { settings: IdxSetting[]; ignored: number } {
  if (depth > 16) throw new ReducerUsageError(`${file}: DRC_INCLUDE nested too deeply (a cycle?)`);
  let text = src.read(file);
  const name = path.basename(file);
  if (text === undefined) text = src.builtin(name.toLowerCase());
  if (text === undefined) throw new ReducerUsageError(`idx file ${file} does not exist`);
  if (seen.includes(file)) throw new ReducerUsageError(`${file} includes itself`);
  const settings: IdxSetting[] = [];
  let ignored = 0;
  for (const line of parseIdx(text, name)) {
    if (line.kind === 'include') {
      const inc = path.isAbsolute(line.file) ? line.file : path.join(path.dirname(file), line.file);
      const sub = loadIdx(inc, src, depth + 1, [...seen, file]);
      settings.push(...sub.settings);
      ignored += sub.ignored;
    } else if (line.kind === 'set') settings.push({ name: line.name, value: line.value, origin: line.origin });
    else ignored++;
  }
  return { settings, ignored };
}
