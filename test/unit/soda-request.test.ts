// SODA request parsing: every parameter's syntax, the errors (label and the parameter they name), multiplicity
// in sync and async mode, and the parameter declarations the DataLink descriptors render.
import { ServiceError } from '../../src/errors.js';
import { sodaParameters } from '../../src/soda/parameters.js';
import { cutsPerProduct, parseSodaRequest, type ParamLike } from '../../src/soda/request.js';

const ID = 'ivo://drsoda.test/aat?2026-03-14/ccd1/0012';
const p = (...pairs: Array<[string, string]>): ParamLike[] => [['ID', ID] as [string, string], ...pairs].map(([name, value]) => ({ name, value }));

function fails(params: ParamLike[], mode: 'sync' | 'async' = 'async'): ServiceError {
  try {
    parseSodaRequest(params, mode);
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected the request to be rejected');
}

describe('parseSodaRequest', () => {
  it('gives defaults: FITS, no filters, planner defaults for the options', () => {
    const r = parseSodaRequest(p(), 'sync');
    expect(r).toEqual({ ids: [ID], spatial: [], bands: [], format: 'application/fits', options: {} });
    expect(cutsPerProduct(r)).toBe(1);
  });

  it('reads CIRCLE, POLYGON, POS in its three shapes, BAND, TIME and names case-insensitively', () => {
    const r = parseSodaRequest(
      p(['circle', '279.1 -24.5 0.2'], ['POLYGON', '10 10 11 10 10.5 11'], ['pos', 'RANGE 0 360 -90 -60'], ['Pos', 'CIRCLE 1 2 3'], ['POS', 'POLYGON 1 1 2 1 1 2'], ['BAND', '5e-7 6e-7'], ['BAND', '6.5e-7 +Inf'], ['TIME', '56926 56927']),
      'async',
    );
    expect(r.spatial.map((s) => [s.param, s.region.shape])).toEqual([
      ['CIRCLE', 'circle'], ['POLYGON', 'polygon'], ['POS', 'range'], ['POS', 'circle'], ['POS', 'polygon'],
    ]);
    expect(r.spatial[0].region).toEqual({ shape: 'circle', raDeg: 279.1, decDeg: -24.5, radiusDeg: 0.2 });
    expect(r.bands.map((b) => b.metres)).toEqual([[5e-7, 6e-7], [6.5e-7, Infinity]]);
    expect(r.timeMjd).toEqual([56926, 56927]);
    expect(cutsPerProduct(r)).toBe(10);
  });

  it('accepts the numbers pyvo and numpy print (inf, exponents) and normalises RA', () => {
    const r = parseSodaRequest(p(['BAND', '-inf 7E-07'], ['CIRCLE', '-10 0 1']), 'sync');
    expect(r.bands[0].metres).toEqual([-Infinity, 7e-7]);
    expect(r.spatial[0].region).toMatchObject({ raDeg: 350 });
  });

  it.each([
    ['application/x-votable+xml', 'application/x-votable+xml'],
    ['votable', 'application/x-votable+xml'],
    ['text/xml', 'application/x-votable+xml'],
    ['application/x-votable+xml;serialization=TABLEDATA', 'application/x-votable+xml'],
    ['fits', 'application/fits'],
    ['application/fits', 'application/fits'],
  ])('RESPONSEFORMAT=%s means %s', (v, f) => {
    expect(parseSodaRequest(p(['RESPONSEFORMAT', v]), 'sync').format).toBe(f);
  });

  it('maps the reduction options onto the planner options, enumerations case-insensitively', () => {
    const r = parseSodaRequest(p(['ARMS', 'Blue'], ['COMBINE', 'false'], ['SPLICE', '0'], ['SKYSUB', 'TRUE'], ['EXTRACTION', 'optex'], ['THROUGHPUT', 'skyflux(med)'], ['IDX_PRESET', 'gama']), 'sync');
    expect(r.options).toEqual({ arms: 'blue', combine: false, splice: false, skySubtraction: true, extraction: 'OPTEX', throughput: 'SKYFLUX(MED)', idxPreset: 'gama' });
  });

  it.each<[string, ParamLike[], RegExp]>([
    ['no ID', [{ name: 'CIRCLE', value: '1 2 3' }], /^ID: at least one/],
    ['POL', p(['POL', 'I']), /^POL: polarization is not offered/],
    ['unknown parameter', p(['CIRLCE', '1 2 3']), /^unknown parameter CIRLCE/],
    ['circle radius', p(['CIRCLE', '10 20 0']), /^CIRCLE: the radius must be in \(0, 180\]/],
    ['circle arity', p(['CIRCLE', '10 20']), /^CIRCLE: a circle needs three numbers/],
    ['latitude', p(['CIRCLE', '10 95 1']), /^CIRCLE: latitude 95/],
    ['not a number', p(['BAND', '5e-7 abc']), /^BAND: "abc" is not a number/],
    ['reversed interval', p(['BAND', '6e-7 5e-7']), /^BAND: the lower bound exceeds/],
    ['NaN bound', p(['TIME', 'NaN 5']), /^TIME: NaN is not a valid bound/],
    ['POS shape', p(['POS', 'BOX 1 2 3 4']), /^POS: unknown shape "BOX"/],
    ['POS lower-case keyword', p(['POS', 'circle 1 2 3']), /^POS: unknown shape "circle"/],
    ['RANGE arity', p(['POS', 'RANGE 1 2 3']), /^POS: RANGE needs four numbers/],
    ['polygon vertices', p(['POLYGON', '1 2 3 4']), /^POLYGON: a polygon needs at least three/],
    ['polygon hemisphere', p(['POLYGON', '0 0 120 0 240 0']), /^POLYGON: polygons must fit in a hemisphere/],
    ['format', p(['RESPONSEFORMAT', 'text/csv']), /^RESPONSEFORMAT: "text\/csv" is not supported/],
    ['arms', p(['ARMS', 'green']), /^ARMS: "green" is not one of blue, red, both/],
    ['boolean', p(['SPLICE', 'maybe']), /^SPLICE: must be true or false/],
    ['preset', p(['IDX_PRESET', 'nope']), /^IDX_PRESET: "nope" is not one of aaomega, gama, ozdes/],
  ])('rejects %s with a UsageError naming the parameter', (_, params, message) => {
    const e = fails(params);
    expect(e.label).toBe('UsageError');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
  });

  it('rejects repeated single-valued parameters with MultiValuedParamNotSupported', () => {
    for (const name of ['TIME', 'RESPONSEFORMAT', 'ARMS', 'COMBINE']) {
      const e = fails(p([name, 'x'], [name, 'y']));
      expect([e.label, e.message]).toEqual(['MultiValuedParamNotSupported', `${name} may be given only once`]);
    }
  });

  it('allows several IDs, regions and bands in async but not in sync', () => {
    const two = p(['ID', 'ivo://drsoda.test/aat?2026-03-14/ccd1/0013']);
    expect(parseSodaRequest(two, 'async').ids).toHaveLength(2);
    expect(fails(two, 'sync')).toMatchObject({ label: 'MultiValuedParamNotSupported', message: expect.stringContaining('ID may be given only once in a synchronous request') });
    expect(fails(p(['CIRCLE', '1 2 3'], ['POS', 'CIRCLE 1 2 3']), 'sync')).toMatchObject({ label: 'MultiValuedParamNotSupported', message: expect.stringMatching(/^CIRCLE and POS/) });
    expect(fails(p(['BAND', '1 2'], ['BAND', '3 4']), 'sync').label).toBe('MultiValuedParamNotSupported');
    // The same ID twice is one ID.
    expect(parseSodaRequest(p(['ID', ID]), 'sync').ids).toEqual([ID]);
  });

  it('ignores the DALI/UWS leftovers RUNID and REQUEST', () => {
    expect(parseSodaRequest(p(['RUNID', 'r1'], ['REQUEST', 'doQuery']), 'sync').ids).toEqual([ID]);
  });
});

describe('sodaParameters', () => {
  it('declares the SODA parameters with their three-factor semantics (name, UCD, unit)', () => {
    const by = Object.fromEntries(sodaParameters.map((d) => [d.name, d]));
    expect(sodaParameters.map((d) => d.name)).toEqual(['ID', 'POS', 'CIRCLE', 'POLYGON', 'BAND', 'TIME', 'RESPONSEFORMAT', 'ARMS', 'COMBINE', 'SPLICE', 'SKYSUB', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET']);
    expect(by.BAND).toMatchObject({ datatype: 'double', arraysize: '2', xtype: 'interval', unit: 'm', ucd: 'em.wl;stat.interval' });
    expect(by.CIRCLE).toMatchObject({ datatype: 'double', arraysize: '3', xtype: 'circle', unit: 'deg', ucd: 'pos.outline;obs' });
    expect(by.POLYGON).toMatchObject({ xtype: 'polygon', unit: 'deg', ucd: 'pos.outline;obs' });
    expect(by.TIME).toMatchObject({ xtype: 'interval', unit: 'd', ucd: 'time.interval;obs.exposure' });
    expect(by.POS).toMatchObject({ datatype: 'char', ucd: 'pos.outline;obs' });
    expect(by.POS.unit).toBeUndefined();
  });

  it('takes the option values and defaults from the planner and the presets file', () => {
    const by = Object.fromEntries(sodaParameters.map((d) => [d.name, d]));
    expect([by.ARMS.options, by.ARMS.default]).toEqual([['blue', 'red', 'both'], 'both']);
    expect([by.EXTRACTION.options, by.EXTRACTION.default]).toEqual([['GAUSS', 'OPTEX', 'SMCOPTEX', 'TRAM'], 'GAUSS']);
    expect([by.THROUGHPUT.options, by.THROUGHPUT.default]).toEqual([['OFFSKY', 'SKYFLUX(MED)', 'SKYFLUX(COR)', 'NONE'], 'OFFSKY']);
    expect([by.IDX_PRESET.options, by.IDX_PRESET.default]).toEqual([['aaomega', 'gama', 'ozdes'], 'aaomega']);
    for (const n of ['COMBINE', 'SPLICE', 'SKYSUB']) expect([by[n].datatype, by[n].default]).toEqual(['boolean', 'true']);
    // Every declared default is itself accepted by the parser.
    const defaults = sodaParameters.filter((d) => d.default !== undefined).map((d) => ({ name: d.name, value: d.default! }));
    expect(() => parseSodaRequest([{ name: 'ID', value: ID }, ...defaults], 'sync')).not.toThrow();
  });
});
