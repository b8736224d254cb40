import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FitsError, findHdu, Header, readHeaders, readTable, writeFits, type TableColumnSpec } from '../../src/fits/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'fits-table-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const primary = { kind: 'image' as const, axes: [], bitpix: 16 as const, data: new Uint16Array(0) };

async function roundTrip(columns: TableColumnSpec[], header?: Header) {
  const file = path.join(dir, `t${Math.random()}.fits`);
  await writeFits(file, [primary, { kind: 'table', extname: 'STRUCT.MORE.FIBRES', columns, header }]);
  const hdu = findHdu(await readHeaders(file), 'FIBRES')!;
  return { hdu, table: await readTable(file, hdu) };
}

describe('FITS binary tables', () => {
  it('round-trips A, L, B, I, J, K, E and D columns with units and TNULL', async () => {
    const columns: TableColumnSpec[] = [
      { name: 'NAME', tform: '80A', values: ['NGC 1234', "it's", '', ' lead'] },
      { name: 'TYPE', tform: '1A', values: ['P', 'S', 'F', 'N'] },
      { name: 'RA', tform: '1D', unit: 'radians', values: [0.1234567890123, 6.28, -1e-300, null] },
      { name: 'MAG', tform: 'E', unit: 'mag', values: [19.5, null, -0.25, 1e30] },
      { name: 'X', tform: '1J', unit: 'microns', tnull: -2147483648, values: [123456, -2147483647, null, 2147483647] },
      { name: 'PIVOT', tform: '1I', tnull: -32768, values: [1, 400, null, -32767] },
      { name: 'BYTE', tform: '1B', tnull: 255, values: [0, 254, null, 7] },
      { name: 'BIG', tform: '1K', tnull: -1, values: [2n ** 62n, -(2n ** 63n), null, 42] },
      { name: 'FLAG', tform: '1L', values: [true, false, null, true] },
    ];
    const { hdu, table } = await roundTrip(columns, new Header().set('CENRA', 1.5, 'field centre (rad)').set('UNAL-OBJ', 3));
    expect(hdu.header.number('CENRA')).toBe(1.5);
    expect(hdu.header.number('unal-obj')).toBe(3);
    expect(table.nrows).toBe(4);
    expect(table.columns.map((c) => [c.name, c.tform, c.unit])).toEqual(columns.map((c) => [c.name, c.tform, c.unit]));
    expect(table.column('name')?.values).toEqual(['NGC 1234', "it's", '', ' lead']);
    expect(table.column('TYPE')?.values).toEqual(['P', 'S', 'F', 'N']);
    expect(table.column('RA')?.values).toEqual([0.1234567890123, 6.28, -1e-300, null]);
    expect(table.column('MAG')?.values).toEqual([19.5, null, -0.25, Math.fround(1e30)]);
    expect(table.column('X')?.values).toEqual([123456, -2147483647, null, 2147483647]);
    expect(table.column('PIVOT')?.values).toEqual([1, 400, null, -32767]);
    expect(table.column('BYTE')?.values).toEqual([0, 254, null, 7]);
    expect(table.column('big')?.values).toEqual([2n ** 62n, -(2n ** 63n), null, 42]);
    expect(table.column('FLAG')?.values).toEqual([true, false, null, true]);
    expect(table.column('missing')).toBeUndefined();
  });

  it('writes a zero-row table', async () => {
    const { table } = await roundTrip([{ name: 'NAME', tform: '8A', values: [] }]);
    expect(table.nrows).toBe(0);
    expect(table.column('NAME')?.values).toEqual([]);
  });

  it.each([
    [{ name: 'S', tform: '4A', values: ['toolong'] }, /does not fit 4A/],
    [{ name: 'I', tform: '1I', values: [40000] }, /does not fit 1I/],
    [{ name: 'J', tform: '1J', values: [1.5] }, /does not fit 1J/],
    [{ name: 'J', tform: '1J', values: [null] }, /null in an integer column without tnull/],
    [{ name: 'K', tform: '1K', values: [2n ** 63n] }, /out of 64-bit range/],
    [{ name: 'V', tform: '3E', values: [1] }, /not supported/],
    [{ name: 'D', tform: '1D', tnull: 0, values: [1] }, /integer columns only/],
  ] as [TableColumnSpec, RegExp][])('refuses %j', async (col, message) => {
    await expect(roundTrip([col])).rejects.toThrow(FitsError);
    await expect(roundTrip([col])).rejects.toThrow(message);
  });

  it('refuses columns of different lengths', async () => {
    await expect(roundTrip([{ name: 'A', tform: '1J', values: [1, 2] }, { name: 'B', tform: '1J', values: [1] }])).rejects.toThrow(/has 1 values, expected 2/);
  });
});
