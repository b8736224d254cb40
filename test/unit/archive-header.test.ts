import { FrameHeaderError, fibresFromTable, frameFromHeader, plateOf } from '../../src/archive/frame-header.js';
import { Header, type HeaderValue } from '../../src/fits/index.js';

const A = 'drsoda.example.org';
const file = { relPath: '140926/ccd_1/26sep10023.fits', sizeBytes: 17_000_000, sha256: 'a'.repeat(64), mtime: new Date('2014-09-27T00:00:00Z') };

/** The composed blue object header of docs/2dfdr-domain-notes.md section 2.3 (the keys the index reads). */
function header(over: Record<string, HeaderValue> = {}, drop: string[] = []): Header {
  const h = new Header();
  const cards: Record<string, HeaderValue> = {
    NAXIS1: 2070, NAXIS2: 4098, SPEED: 'NORMAL  ', EXPOSED: 1800, SPECTID: 'BL      ', OBJECT: 'G23_Y7_015',
    NDFCLASS: 'MFOBJECT', CFG_FILE: 'G23_Y7_015_p0.sds', SOURCE: 'Plate 0 ', FLAPS: 'OPEN    ', RUN: 23,
    UTDATE: '2014:09:26', UTSTART: '11:02:33', UTMJD: 56926.4601041667, MEANRA: 348.551234567891,
    MEANDEC: -32.5012345678901, GRATID: '580V    ', LAMBDAC: 4800, DISPERS: 1.04, ...over,
  };
  for (const [k, v] of Object.entries(cards)) if (!drop.includes(k)) h.set(k, v);
  return h;
}

describe('frameFromHeader', () => {
  it('maps the section 2.3 object header', () => {
    expect(frameFromHeader(header(), file, { authority: A })).toEqual({
      id: 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023',
      fileName: '26sep10023.fits',
      relPath: file.relPath,
      night: '2014-09-26',
      ccd: 1,
      arm: 'blue',
      run: 23,
      ndfClass: 'MFOBJECT',
      object: 'G23_Y7_015',
      gratId: '580V',
      lambdaCAngstrom: 4800,
      dispersionAngstromPerPx: 1.04,
      speed: 'NORMAL',
      cfgFile: 'G23_Y7_015_p0.sds',
      plate: 0,
      exposedS: 1800,
      utMjd: 56926.4601041667,
      utStart: '11:02:33',
      meanRaDeg: 348.551234567891,
      meanDecDeg: -32.5012345678901,
      airmass: null,
      seeingArcsec: null,
      flaps: 'OPEN',
      lampName: '',
      naxis1: 2070,
      naxis2: 4098,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
      mtime: file.mtime,
    });
  });

  it('takes the airmass from AIRMASS, else sec(ZDSTART), and SEEING when present', () => {
    expect(frameFromHeader(header({ AIRMASS: 1.25, SEEING: 1.4 }), file, { authority: A })).toMatchObject({ airmass: 1.25, seeingArcsec: 1.4 });
    expect(frameFromHeader(header({ ZDSTART: 60 }), file, { authority: A }).airmass).toBeCloseTo(2, 12);
    expect(frameFromHeader(header({ AIRMASS: 0.5, ZDSTART: 95, SEEING: -1 }), file, { authority: A })).toMatchObject({ airmass: null, seeingArcsec: null });
  });

  it('maps the red arm, plate 1 and an arc', () => {
    const f = frameFromHeader(header({ SPECTID: 'RD', SOURCE: 'Plate 1', NDFCLASS: 'MFARC', LAMPNAME: 'CuAr', FLAPS: 'CLOSED' }), file, { authority: A });
    expect([f.ccd, f.arm, f.plate, f.ndfClass, f.lampName, f.id]).toEqual([2, 'red', 1, 'MFARC', 'CuAr', 'ivo://drsoda.example.org/aat?2014-09-26/ccd2/0023']);
  });

  it('falls back to the NDF_CLASS table, renames DFLAT to LFLAT, and derives MJD from UTDATE + UTSTART', () => {
    const f = frameFromHeader(header({}, ['NDFCLASS', 'UTMJD']), file, { authority: A, ndfClassFromTable: 'dflat ' });
    expect(f.ndfClass).toBe('LFLAT');
    // 2014-09-26 is MJD 56926; 11:02:33 is 0.46010417 d.
    expect(f.utMjd).toBeCloseTo(56926.4601041667, 8);
  });

  it('takes the night from the YYMMDD folder and the CCD from the file name when UTDATE and SPECTID are absent', () => {
    const f = frameFromHeader(header({}, ['UTDATE', 'SPECTID']), { ...file, relPath: '140101/ccd_2/01jan20005.fits' }, { authority: A });
    expect([f.night, f.ccd, f.arm]).toEqual(['2014-01-01', 2, 'red']);
  });

  it('leaves pointing null and plate null when absent, and a bias without EXPOSED has 0 s', () => {
    const f = frameFromHeader(header({ NDFCLASS: 'BIAS' }, ['MEANRA', 'MEANDEC', 'SOURCE', 'CFG_FILE', 'EXPOSED']), file, { authority: A });
    expect([f.meanRaDeg, f.meanDecDeg, f.plate, f.cfgFile, f.exposedS]).toEqual([null, null, null, '', 0]);
  });

  it.each([
    [{ SPECTID: 'GN' }, [], /SPECTID/],
    [{}, ['NDFCLASS'], /NDFCLASS/],
    [{}, ['GRATID'], /GRATID/],
    [{ UTDATE: '2014:13:40' }, [], /UTDATE/],
    [{}, ['UTMJD', 'UTSTART'], /UTMJD/],
    [{}, ['EXPOSED'], /EXPOSED/],
  ])('refuses %j without %j, naming the keyword', (over, drop, message) => {
    expect(() => frameFromHeader(header(over, drop), file, { authority: A })).toThrow(FrameHeaderError);
    expect(() => frameFromHeader(header(over, drop), file, { authority: A })).toThrow(message);
  });

  it('reads the plate out of SOURCE', () => {
    expect([plateOf('Plate 0 '), plateOf('plate1'), plateOf('Plate 2'), plateOf(undefined)]).toEqual([0, 1, null, null]);
  });
});

describe('fibresFromTable', () => {
  it('numbers fibres from 1 and keeps nulls honest', () => {
    const cols: Record<string, (string | number | null)[]> = {
      NAME: ['G1  ', 'Sky-1', ''], TYPE: ['P', 'S', 'U'], RA: [1.5, 1.6, null], DEC: [-0.5, -0.6, null], PIVOT: [1, 2, null], MAGNITUDE: [19.5, null, null],
    };
    const t = { nrows: 3, column: (n: string) => (cols[n] ? { values: cols[n] } : undefined) };
    const fibres = fibresFromTable(t);
    expect(fibres[0]).toEqual({ fibre: 1, name: 'G1', type: 'P', raRad: 1.5, decRad: -0.5, pivot: 1, magnitude: 19.5 });
    expect(fibres[2]).toEqual({ fibre: 3, name: '', type: 'U', raRad: NaN, decRad: NaN, pivot: 0, magnitude: null });
  });
});
