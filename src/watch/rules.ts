// Auto-reduction rules (AUTO_REDUCE_RULES, docs/quick-turnaround.md#rules): which new exposures and fields
// are reduced without a request, with which SODA parameters and priority, and who may read the jobs.
// Parsed and validated once at start; a bad file stops the watcher with a message naming the entry.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { parseSodaRequest } from '../soda/request.js';

const glob = z.string().min(1).max(200);
const userId = z.string().min(1).max(256).refine((s) => s === s.trim() && !/[\u0000-\u001f\u007f]/.test(s), 'must be a user id');

/** SODA reduction options an auto job may set (the rest of a SODA request makes no sense here). */
const paramNames = ['ARMS', 'COMBINE', 'SPLICE', 'SKYSUB', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET', 'RESPONSEFORMAT'] as const;

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'must be 1-40 letters, digits, _ . -'),
  /** frame: each object exposure as soon as it is reducible; field: a field's objects combined once it is finished. */
  reduce: z.enum(['frame', 'field']),
  match: z
    .strictObject({
      programme: z.array(glob).min(1).optional(),
      field: z.array(glob).min(1).optional(),
      object: z.array(glob).min(1).optional(),
    })
    .default({}),
  params: z.partialRecord(z.enum(paramNames), z.union([z.string(), z.boolean()]).transform(String)).default({}),
  priority: z.number().int().min(0).max(1000).default(0),
  /** Extra readers of the jobs, besides the programme's users. */
  readers: z.array(userId).default([]),
  /** frame: wait this long for calibrations of the exposure's own observing block before accepting fallbacks. */
  calibrationWaitS: z.number().min(0).max(86400).default(1800),
  /** frame: wait this long for the other arm before reducing one arm alone. */
  armWaitS: z.number().min(0).max(86400).default(120),
  /** field: no new object exposure of the field for this long means it is finished. */
  quietS: z.number().min(0).max(86400).default(1800),
  /** field: fewer object exposures than this are not combined (nothing to combine). */
  minExposures: z.number().int().min(1).max(1000).default(2),
  /** Give up on an exposure or field not reducible this long after it landed. */
  giveUpS: z.number().min(60).max(7 * 86400).default(12 * 3600),
});

export type AutoRule = z.infer<typeof ruleSchema>;

const rulesSchema = z.strictObject({
  rules: z.array(ruleSchema).max(100),
  /** PROGID -> users of the programme, who may read its auto jobs ('*' = everyone). */
  programmes: z.record(z.string().min(1), z.array(userId)).default({}),
});

export type AutoRules = z.infer<typeof rulesSchema>;

/** Without AUTO_REDUCE_RULES: every object exposure (both arms) and every field of two or more exposures. */
export const defaultRules: AutoRules = rulesSchema.parse({
  rules: [
    { name: 'exposures', reduce: 'frame' },
    { name: 'fields', reduce: 'field' },
  ],
});

/** Parses AUTO_REDUCE_RULES (JSON text, or the path of a JSON file). Throws ConfigError naming the bad entry. */
export function loadRules(setting: string | undefined): AutoRules {
  if (setting === undefined) return defaultRules;
  let text = setting;
  if (!setting.trim().startsWith('{')) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch (err) {
      throw new ConfigError(`AUTO_REDUCE_RULES: cannot read ${setting}: ${(err as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`AUTO_REDUCE_RULES: not JSON: ${(err as Error).message}`);
  }
  const r = rulesSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`AUTO_REDUCE_RULES: ${issue.path.join('.') || 'rules'}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const rule of r.data.rules) {
    if (names.has(rule.name)) throw new ConfigError(`AUTO_REDUCE_RULES: rule name ${rule.name} is used twice`);
    names.add(rule.name);
    try {
      // The parameters must be a valid SODA request (values checked by the same parser as /soda/async).
      parseSodaRequest([{ name: 'ID', value: 'x' }, ...Object.entries(rule.params).map(([name, value]) => ({ name, value }))], 'async');
    } catch (err) {
      throw new ConfigError(`AUTO_REDUCE_RULES: rule ${rule.name}: ${(err as Error).message}`);
    }
  }
  return r.data;
}

function globRe(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const matches = (patterns: string[] | undefined, value: string | null) => !patterns || (value !== null && patterns.some((p) => globRe(p).test(value)));

export interface Subject {
  programme: string | null;
  /** CFG_FILE without .sds. */
  field: string;
  object: string;
}

/** The first rule of this kind whose match accepts the subject (rules are tried in file order). */
export function ruleFor(rules: AutoRules, kind: AutoRule['reduce'], s: Subject): AutoRule | undefined {
  return rules.rules.find((r) => r.reduce === kind && matches(r.match.programme, s.programme) && matches(r.match.field, s.field) && matches(r.match.object, s.object));
}

/** The SODA job parameters of an auto job for this ID. */
export function jobParameters(rule: AutoRule, id: string): Array<{ name: string; value: string; byReference: false }> {
  const params = [{ name: 'ID', value: id, byReference: false as const }, ...Object.entries(rule.params).map(([name, value]) => ({ name, value, byReference: false as const }))];
  if (rule.priority > 0) params.push({ name: 'PRIORITY', value: String(rule.priority), byReference: false });
  return params;
}

/** Readers of an auto job: the programmes' users and the rule's own readers. */
export function readersOf(rules: AutoRules, rule: AutoRule, programmes: ReadonlyArray<string | null>): string[] {
  const users = new Set(rule.readers);
  for (const p of programmes) if (p) for (const u of rules.programmes[p] ?? []) users.add(u);
  return [...users];
}
