import { decideRange, evaluatePreconditions, ifRangeAllows } from '../../src/http/byte-range.js';

describe('decideRange', () => {
  it.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-9', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=90-500', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-1000', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'full' }], // several ranges: whole file (RFC 9110 section 14.2 permits ignoring)
    ['bytes=9-2', { kind: 'full' }], // invalid: ignored
    ['items=0-9', { kind: 'full' }],
    ['bytes=x-y', { kind: 'full' }],
  ])('%j of 100 bytes -> %j', (h, expected) => {
    expect(decideRange(h, 100)).toEqual(expected);
  });
});

describe('preconditions', () => {
  const v = { etag: '"abc"', lastModified: new Date('2024-01-02T03:04:05.678Z') };
  it.each([
    [{}, 'proceed'],
    [{ 'if-none-match': '"abc"' }, 'not-modified'],
    [{ 'if-none-match': 'W/"abc"' }, 'not-modified'],
    [{ 'if-none-match': '"x", "abc"' }, 'not-modified'],
    [{ 'if-none-match': '"x"' }, 'proceed'],
    [{ 'if-none-match': '"x"', 'if-modified-since': 'Tue, 02 Jan 2024 03:04:05 GMT' }, 'proceed'],
    [{ 'if-modified-since': 'Tue, 02 Jan 2024 03:04:05 GMT' }, 'not-modified'],
    [{ 'if-modified-since': 'Tue, 02 Jan 2024 03:04:04 GMT' }, 'proceed'],
    [{ 'if-match': '"abc"' }, 'proceed'],
    [{ 'if-match': 'W/"abc"' }, 'failed'],
    [{ 'if-match': '"x"' }, 'failed'],
    [{ 'if-unmodified-since': 'Tue, 02 Jan 2024 03:04:04 GMT' }, 'failed'],
  ])('%j -> %s', (h, expected) => {
    expect(evaluatePreconditions(h, v)).toBe(expected);
  });

  it('applies If-Range only to a strongly matching tag or the exact date', () => {
    expect(ifRangeAllows(undefined, v)).toBe(true);
    expect(ifRangeAllows('"abc"', v)).toBe(true);
    expect(ifRangeAllows('"old"', v)).toBe(false);
    expect(ifRangeAllows('W/"abc"', v)).toBe(false);
    expect(ifRangeAllows('Tue, 02 Jan 2024 03:04:05 GMT', v)).toBe(true);
    expect(ifRangeAllows('Tue, 02 Jan 2024 03:04:06 GMT', v)).toBe(false);
    expect(ifRangeAllows('"abc"', { ...v, etag: 'W/"abc"' })).toBe(false);
  });
});
