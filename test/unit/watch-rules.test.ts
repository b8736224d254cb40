// AUTO_REDUCE_RULES: parsing (file or inline JSON, errors naming the entry), first-match rule selection by
// programme/field/object globs, the job parameters and readers a rule gives, and the PRIORITY parameter checks.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config.js';
import { mayPrioritise, parsePriority, withPriorityParam } from '../../src/watch/priority.js';
import { defaultRules, jobParameters, loadRules, readersOf, ruleFor } from '../../src/watch/rules.js';
import type { JobRunner } from '../../src/uws/types.js';

const rules = {
  rules: [
    { name: 'too', reduce: 'frame', match: { programme: ['TOO*'] }, priority: 8, params: { ARMS: 'blue', SKYSUB: false }, readers: ['duty-astronomer'] },
    { name: 'galaxies', reduce: 'frame', match: { field: ['G23_*'] } },
    { name: 'fields', reduce: 'field', quietS: 600 },
  ],
  programmes: { 'TOO-2026A-01': ['alice', 'bob'], 'A/2026B/07': ['carol'] },
};

describe('auto-reduction rules', () => {
  it('reads the rules inline or from a file, with defaults filled in', async () => {
    const inline = loadRules(JSON.stringify(rules));
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'drsoda-rules-')), 'rules.json');
    await writeFile(file, JSON.stringify(rules));
    expect(loadRules(file)).toEqual(inline);
    expect(inline.rules[1]).toMatchObject({ priority: 0, params: {}, readers: [], calibrationWaitS: 1800, armWaitS: 120, quietS: 1800, minExposures: 2 });
    expect(inline.rules[0].params).toEqual({ ARMS: 'blue', SKYSUB: 'false' });
    expect(loadRules(undefined)).toBe(defaultRules);
    expect(defaultRules.rules.map((r) => [r.name, r.reduce])).toEqual([['exposures', 'frame'], ['fields', 'field']]);
  });

  it.each([
    ['{"rules": [{"name": "x", "reduce": "night"}]}', /^AUTO_REDUCE_RULES: rules\.0\.reduce: /],
    ['{"rules": [{"name": "x", "reduce": "frame", "params": {"CIRCLE": "1 2 3"}}]}', /^AUTO_REDUCE_RULES: rules\.0\.params: Unrecognized key: "CIRCLE"/],
    ['{"rules": [{"name": "x", "reduce": "frame", "params": {"EXTRACTION": "BOXCAR"}}]}', /^AUTO_REDUCE_RULES: rule x: EXTRACTION: "BOXCAR" is not one of/],
    ['{"rules": [{"name": "x", "reduce": "frame"}, {"name": "x", "reduce": "field"}]}', /rule name x is used twice/],
    ['{"rules": [{"name": "x", "reduce": "frame", "colour": "red"}]}', /^AUTO_REDUCE_RULES: rules\.0: /],
    ['{"rules": [', /^AUTO_REDUCE_RULES: not JSON/],
    ['/no/such/rules.json', /^AUTO_REDUCE_RULES: cannot read \/no\/such\/rules\.json/],
  ])('names the bad entry of %s', (text, message) => {
    expect(() => loadRules(text)).toThrow(ConfigError);
    expect(() => loadRules(text)).toThrow(message);
  });

  it('takes the first rule of the kind whose match accepts the subject', () => {
    const r = loadRules(JSON.stringify(rules));
    expect(ruleFor(r, 'frame', { programme: 'too-2026a-01', field: 'G23_Y7_015_p0', object: 'G23' })?.name).toBe('too');
    expect(ruleFor(r, 'frame', { programme: 'A/2026B/07', field: 'G23_Y7_015_p0', object: 'G23' })?.name).toBe('galaxies');
    expect(ruleFor(r, 'frame', { programme: null, field: 'COSMOS_1', object: 'COSMOS' })).toBeUndefined();
    expect(ruleFor(r, 'field', { programme: null, field: 'COSMOS_1', object: '' })?.name).toBe('fields');
  });

  it('gives the SODA parameters, the PRIORITY and the readers of a rule', () => {
    const r = loadRules(JSON.stringify(rules));
    expect(jobParameters(r.rules[0], 'ivo://x/aat?2026-05-02/ccd1/0005').map((p) => [p.name, p.value])).toEqual([
      ['ID', 'ivo://x/aat?2026-05-02/ccd1/0005'], ['ARMS', 'blue'], ['SKYSUB', 'false'], ['PRIORITY', '8'],
    ]);
    expect(jobParameters(r.rules[1], 'id').map((p) => p.name)).toEqual(['ID']);
    expect(readersOf(r, r.rules[0], ['TOO-2026A-01', null, 'A/2026B/07']).sort()).toEqual(['alice', 'bob', 'carol', 'duty-astronomer']);
  });
});

describe('PRIORITY', () => {
  const p = (value: string) => ({ name: 'PRIORITY', value, byReference: false });
  const inner: JobRunner & { seen: string[][] } = {
    kind: 'k',
    seen: [],
    validate(params) {
      this.seen.push(params.map((x) => x.name));
    },
    start: () => {},
    abort: () => {},
  };
  const policy = { users: ['too-team'], max: 10 };

  it('parses 0..max and nothing else', () => {
    expect(parsePriority([], 10)).toBeUndefined();
    expect(parsePriority([p('0')], 10)).toBe(0);
    expect(parsePriority([p(' 10 ')], 10)).toBe(10);
    for (const bad of ['11', '-1', '1.5', 'high', '']) expect(() => parsePriority([p(bad)], 10)).toThrow(/PRIORITY must be an integer from 0 to 10/);
  });

  it('lets only permitted users, admins and everyone-lists raise it, and hides it from the runner', () => {
    expect(mayPrioritise(policy, { userId: 'too-team', admin: false })).toBe(true);
    expect(mayPrioritise(policy, { userId: 'bob', admin: false })).toBe(false);
    expect(mayPrioritise(policy, { userId: 'bob', admin: true })).toBe(true);
    expect(mayPrioritise({ users: ['*'], max: 10 }, { userId: null, admin: false })).toBe(true);
    const wrapped = withPriorityParam(inner, policy);
    expect(() => wrapped.authorize!({ userId: 'bob', admin: false }, [p('3')])).toThrow(/reserved for target-of-opportunity users/);
    expect(() => wrapped.authorize!({ userId: 'bob', admin: false }, [p('0')])).not.toThrow();
    wrapped.validate([{ name: 'ID', value: 'x', byReference: false }, p('3')]);
    expect(inner.seen).toEqual([['ID']]);
  });
});
