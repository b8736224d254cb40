import fc from 'fast-check';
import { formatFieldDid, formatFrameDid, formatNightDid, parseDid, parseFrameDid } from '../../src/archive/dids.js';
import { ServiceError } from '../../src/errors.js';

const A = 'drsoda.example.org';

function label(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof ServiceError ? err.label : String(err);
  }
  return 'ok';
}

describe('archive DIDs', () => {
  it('formats the documented frame, field and night forms', () => {
    expect(formatFrameDid(A, { night: '2014-09-26', ccd: 1, run: 23 })).toBe('ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023');
    expect(formatFrameDid(A, { night: '2014-09-26', ccd: 2, run: 12345 })).toBe('ivo://drsoda.example.org/aat?2014-09-26/ccd2/12345');
    expect(formatFieldDid(A, { night: '2014-09-26', cfg: 'G23_Y7_015_p0.sds' })).toBe('ivo://drsoda.example.org/aat?2014-09-26/field/G23_Y7_015_p0');
    expect(formatFieldDid(A, { night: '2014-09-26', cfg: 'odd name/x?.SDS' })).toBe('ivo://drsoda.example.org/aat?2014-09-26/field/odd%20name%2Fx%3F');
    expect(formatNightDid(A, '2014-09-26')).toBe('ivo://drsoda.example.org/aat?2014-09-26');
  });

  it('parses what it formats, for any night, arm, run and configuration name', () => {
    const night = fc.date({ min: new Date('1990-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(night, fc.constantFrom(1 as const, 2 as const), fc.integer({ min: 0, max: 999999 }), (n, ccd, run) => {
        const did = formatFrameDid(A, { night: n, ccd, run });
        expect(parseDid(A, did)).toEqual({ kind: 'frame', night: n, ccd, run });
        expect(did.length).toBeLessThanOrEqual(256);
      }),
    );
    fc.assert(
      fc.property(night, fc.string({ minLength: 1, maxLength: 40 }), (n, cfg) => {
        fc.pre(!/\.sds$/i.test(cfg));
        expect(parseDid(A, formatFieldDid(A, { night: n, cfg }))).toEqual({ kind: 'field', night: n, cfg });
      }),
    );
  });

  it('compares the authority and resource key case-insensitively', () => {
    expect(parseFrameDid(A, 'IVO://DRSODA.Example.org/AAT?2014-09-26/ccd1/0023').run).toBe(23);
  });

  it.each([
    ['ivo://drsoda.example.org/aat?2014-09-26/ccd1/23', 'UsageError'], // not zero-padded: one ID per frame
    ['ivo://drsoda.example.org/aat?2014-09-26/ccd3/0023', 'UsageError'],
    ['ivo://drsoda.example.org/aat?2014-02-30/ccd1/0023', 'UsageError'],
    ['ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023/../../x', 'UsageError'],
    ['ivo://drsoda.example.org/aat?../../etc/passwd', 'UsageError'],
    ['ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023\0', 'UsageError'],
    ['ivo://drsoda.example.org/aat?2014-09-26/field/x.sds', 'UsageError'],
    ['ivo://drsoda.example.org/aat?2014-09-26/field/%41', 'UsageError'],
    ['ivo://drsoda.example.org/other?2014-09-26/ccd1/0023', 'UsageError'],
    ['/etc/passwd', 'UsageError'],
    ['ivo://elsewhere.org/aat?2014-09-26/ccd1/0023', 'NotFoundFault'],
  ])('refuses %j with %s', (did, expected) => {
    expect(label(() => parseDid(A, did))).toBe(expected);
  });

  it('refuses a field or night where a single frame is required', () => {
    expect(label(() => parseFrameDid(A, formatNightDid(A, '2014-09-26')))).toBe('UsageError');
  });
});
