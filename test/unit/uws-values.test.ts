// UWS control values: ISO instants as clients send them, phase actions, durations, WAIT, list filters, cursors.
import fc from 'fast-check';
import { decodeCursor, encodeCursor, parseExecutionDuration, parseInstant, parseLast, parsePhaseAction, parsePhaseFilter, parseWait } from '../../src/uws/uws-values.js';

describe('parseInstant', () => {
  it.each([
    ['2014-09-10T10:01:02.000Z', '2014-09-10T10:01:02.000Z'],
    ['2014-09-10T10:01:02.123456Z', '2014-09-10T10:01:02.123Z'], // pyvo: 6 fraction digits
    ['2014-09-10T10:01:02.123456', '2014-09-10T10:01:02.123Z'], // no zone: UTC
    ['2014-09-10T10:01:02', '2014-09-10T10:01:02.000Z'],
    ['2014-09-10T10:01', '2014-09-10T10:01:00.000Z'],
    ['2014-09-10', '2014-09-10T00:00:00.000Z'],
    ['2014-09-10T12:01:02+02:00', '2014-09-10T10:01:02.000Z'],
    ['2014-09-10T08:01:02.5-0200', '2014-09-10T10:01:02.500Z'],
    ['2014-09-10T10:01:02.123456789z', '2014-09-10T10:01:02.123Z'],
  ])('reads %s', (input, expected) => {
    expect(parseInstant('AFTER', input).toISOString()).toBe(expected);
  });

  it.each(['', 'yesterday', '2014-13-01', '2014-02-30T00:00:00Z', '2014-09-10T24:00:00Z', '2014-09-10T10:61:00Z', '1410343262', '2014-09-10T10:01:02.Z'])('rejects %j naming the parameter', (input) => {
    expect(() => parseInstant('DESTRUCTION', input)).toThrow(/^DESTRUCTION /);
  });

  it('round-trips every toISOString() output', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }), (d) => {
        expect(parseInstant('X', d.toISOString()).getTime()).toBe(d.getTime());
      }),
    );
  });
});

describe('UWS control values', () => {
  it('reads PHASE actions in any case and rejects others', () => {
    expect(parsePhaseAction('run')).toBe('RUN');
    expect(parsePhaseAction(' Abort ')).toBe('ABORT');
    expect(() => parsePhaseAction('DELETE')).toThrow(/PHASE must be RUN or ABORT/);
    expect(() => parsePhaseAction(undefined)).toThrow(/PHASE is required/);
  });

  it('reads EXECUTIONDURATION as whole non-negative seconds within xs:int', () => {
    expect(parseExecutionDuration('0')).toBe(0);
    expect(parseExecutionDuration(' 3600 ')).toBe(3600);
    for (const bad of ['-1', '1.5', '1e3', 'ten', '', '2147483648']) expect(() => parseExecutionDuration(bad)).toThrow(/EXECUTIONDURATION/);
  });

  it('reads WAIT with -1 meaning as long as allowed', () => {
    expect(parseWait('-1')).toBe(Infinity);
    expect(parseWait('30')).toBe(30);
    expect(parseWait('0')).toBe(0);
    expect(() => parseWait('soon')).toThrow(/WAIT/);
  });

  it('reads list filters', () => {
    expect(parsePhaseFilter([])).toBeUndefined();
    expect(parsePhaseFilter(['executing', 'QUEUED'])).toEqual(['EXECUTING', 'QUEUED']);
    expect(() => parsePhaseFilter(['RUNNING'])).toThrow(/PHASE/);
    expect(parseLast(undefined)).toBeUndefined();
    expect(parseLast('5')).toBe(5);
    for (const bad of ['0', '-1', '2.5', 'x']) expect(() => parseLast(bad)).toThrow(/LAST/);
  });

  it('round-trips keyset cursors and rejects forged ones', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), (d, id) => {
        expect(decodeCursor(encodeCursor({ creationTime: d, id }))).toEqual({ creationTime: d, id });
      }),
    );
    for (const bad of ['', 'abc', Buffer.from('not a date x').toString('base64url'), Buffer.from('2020-01-01T00:00:00.000Z a b').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(/CURSOR/);
    }
  });
});
