import { lowerCaseParams, parseFrameQuery } from '../../src/archive/frame-query.js';

describe('parseFrameQuery', () => {
  it('reads repeated and comma-separated filters, arms by name or number, fields with or without .sds', () => {
    const q = parseFrameQuery(lowerCaseParams({ NIGHT: '2014-09-26', Arm: ['blue', '2'], class: 'mfobject,MFARC', field: 'G23_p0.sds', limit: '5', offset: '10' }));
    expect(q).toEqual({
      filter: { night: ['2014-09-26'], ccd: [1, 2], ndfClass: ['MFOBJECT', 'MFARC'], field: ['G23_p0'], object: [] },
      limit: 5,
      offset: 10,
    });
  });

  it('defaults to the first 100', () => {
    expect(parseFrameQuery({})).toMatchObject({ limit: 100, offset: 0 });
  });

  it.each([
    [{ nite: '2014-09-26' }, /unknown parameter nite/],
    [{ night: '2014-9-26' }, /night must be a date/],
    [{ night: '2014-02-30' }, /night must be a date/],
    [{ arm: 'green' }, /arm must be blue or red/],
    [{ limit: '0' }, /limit must be an integer from 1 to 1000/],
    [{ limit: '1001' }, /limit/],
    [{ offset: '-1' }, /offset/],
    [{ limit: ['1', '2'] }, /limit takes one value/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseFrameQuery(raw)).toThrow(message);
  });
});
