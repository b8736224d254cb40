import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatCard, parseCards } from '../../src/fits/cards.js';
import { FitsError, Header, readHeaders, writeFits, type HeaderValue } from '../../src/fits/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'fits-header-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function roundTrip(h: Header): Promise<Header> {
  const file = path.join(dir, `h${Math.random()}.fits`);
  await writeFits(file, [{ kind: 'image', header: h, axes: [], bitpix: 16, data: new Int16Array(0) }]);
  return (await readHeaders(file))[0].header;
}

describe('FITS header cards', () => {
  it('round-trips every value type through a file', async () => {
    const values: [string, HeaderValue][] = [
      ['STR', "It's 'quoted'"],
      ['EMPTY', ''],
      ['LEADSP', '  leading'],
      ['INT', 23],
      ['NEGINT', -4098],
      ['REAL', 1800.5],
      ['TINY', 1e-300],
      ['HUGE', -1.7976931348623157e308],
      ['PI', Math.PI],
      ['MJD', 56926.46010416667],
      ['BIGINT', 9223372036854775807n],
      ['BIGNEG', -9007199254740993n],
      ['TRUE', true],
      ['FALSE', false],
      ['UNDEF', null],
    ];
    const h = new Header();
    for (const [k, v] of values) h.set(k, v, `comment for ${k}`);
    const back = await roundTrip(h);
    for (const [k, v] of values) {
      expect([k, back.get(k)]).toEqual([k, v]);
      expect(back.cards.find((c) => c.key === k)?.comment).toBe(`comment for ${k}`);
    }
    expect(typeof back.get('BIGINT')).toBe('bigint');
    expect(typeof back.get('INT')).toBe('number');
  });

  it('keeps a real that happens to be integral readable as a number', async () => {
    const back = await roundTrip(new Header().set('EXPOSED', 1800).set('BIG', 2 ** 60));
    expect(back.number('EXPOSED')).toBe(1800);
    expect(back.number('BIG')).toBe(2 ** 60);
  });

  it('writes long strings as CONTINUE cards of at most 80 columns and joins them on read', async () => {
    const long = "/data/aatobs/OptDet_data/140926/ccd_1/" + "x".repeat(150) + "it''s" + "'".repeat(7) + 'end';
    const recs = formatCard({ key: 'FILEORIG', value: long, comment: 'where the file was written' });
    expect(recs.length).toBeGreaterThan(2);
    for (const r of recs) expect(r).toHaveLength(80);
    expect(recs.slice(1).every((r) => r.startsWith("CONTINUE  '"))).toBe(true);
    const [card] = parseCards(recs);
    expect(card).toEqual({ key: 'FILEORIG', value: long, comment: 'where the file was written' });
    const back = await roundTrip(new Header().set('FILEORIG', long).set('NEXT', 1));
    expect(back.get('FILEORIG')).toBe(long);
    expect(back.get('NEXT')).toBe(1);
  });

  it('keeps a long comment on a medium string by moving it to a CONTINUE card', () => {
    const comment = 'c'.repeat(50);
    const [card] = parseCards(formatCard({ key: 'CFG_FILE', value: 'v'.repeat(50), comment }));
    expect(card).toEqual({ key: 'CFG_FILE', value: 'v'.repeat(50), comment });
  });

  it('keeps HISTORY and COMMENT text in order, splitting lines longer than 72 characters', async () => {
    const h = new Header().history('Subtracted bias frame').comment('a comment').history('h'.repeat(100));
    const back = await roundTrip(h);
    expect(back.historyLines()).toEqual(['Subtracted bias frame', 'h'.repeat(72), 'h'.repeat(28)]);
    expect(back.get('comment')).toBe('a comment');
  });

  it('looks keys up case-insensitively, trims strings and replaces cards in place', () => {
    const h = new Header([{ key: 'spectid', value: 'BL      ', comment: 'Spectrograph ID' }]);
    h.set('RUN', 1).set('Spectid', 'RD').set('RUN', 2, 'Run number');
    expect(h.cards.map((c) => c.key)).toEqual(['SPECTID', 'RUN']);
    expect(h.string('SPECTID')).toBe('RD');
    expect(h.cards[0].comment).toBe('Spectrograph ID');
    expect(h.number('run')).toBe(2);
    expect(h.string('RUN')).toBeUndefined();
    expect(h.get('MISSING')).toBeUndefined();
  });

  it('parses standard-conforming records written by other software', () => {
    const recs = [
      "DISPERS =                 1.04 / Central dispersion (Angstrom/pixel)",
      "UTMJD   =     56926.4601041667",
      "DVAL    =             1.5D+03 / Fortran exponent",
      "SPECTID = 'BL      '           / Spectrograph ID",
      "HIERARCH ESO DET CHIP = 'E2V' / hierarch",
      "BLANKV  =                      / undefined",
    ].map((r) => r.padEnd(80));
    const cards = parseCards([...recs, 'END'.padEnd(80)]);
    expect(cards.map((c) => c.value)).toEqual([1.04, 56926.4601041667, 1500, 'BL', 'E2V', null]);
    expect(cards[4].key).toBe('ESO DET CHIP');
  });

  it('refuses values FITS cannot hold', () => {
    expect(() => formatCard({ key: 'X', value: NaN })).toThrow(FitsError);
    expect(() => formatCard({ key: 'X', value: Infinity })).toThrow(FitsError);
    expect(() => formatCard({ key: 'TOOLONGKEY', value: 1 })).toThrow(/invalid FITS keyword/);
    expect(() => formatCard({ key: 'X', value: 'caf\u00e9' })).toThrow(/printable ASCII/);
  });
});
