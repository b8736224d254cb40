// The DataLink document builders on their own: escaping, the one-of-three rule, NCName IDs, descriptor shape
// (value="" for user parameters, OPTION value=, MAX only for circle/polygon), each document against the
// VOTable 1.4 XSD and votlint, and the exact text of a small links document for review.
import { XMLParser } from 'fast-xml-parser';
import { sodaParameters } from '../../src/soda/parameters.js';
import { coveringCircle, coveringPolygon, datasetHints } from '../../src/soda/proc-descriptor.js';
import { errorRow, linksErrorVotable, linksVotable } from '../../src/vo/datalink.js';
import { serviceDescriptor, sodaInputParams } from '../../src/vo/service-descriptor.js';
import { param } from '../../src/vo/votable.js';
import { expectVotlintClean } from '../support/votlint.js';
import { expectValid } from '../support/xsd.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (n) => ['RESOURCE', 'PARAM', 'TR', 'TD', 'OPTION', 'FIELD', 'INFO'].includes(n) });
const id = 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0005';

describe('links documents', () => {
  it('writes the exact small document: results RESOURCE first, INFOs before the table, TABLEDATA', () => {
    const xml = linksVotable({ rows: [{ id, accessUrl: 'https://h/files/raw?ID=a&b', semantics: '#this', contentType: 'application/fits', contentLength: 42 }] });
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
  <RESOURCE type="results">
    <INFO name="QUERY_STATUS" value="OK"/>
    <INFO name="standardID" value="ivo://ivoa.net/std/DataLink#links-1.1"/>
    <TABLE name="links">
      <FIELD name="ID" datatype="char" arraysize="*" ucd="meta.id;meta.main"/>
      <FIELD name="access_url" datatype="char" arraysize="*" ucd="meta.ref.url"/>
      <FIELD name="service_def" datatype="char" arraysize="*" ucd="meta.ref"/>
      <FIELD name="error_message" datatype="char" arraysize="*" ucd="meta.code.error"/>
      <FIELD name="description" datatype="char" arraysize="*" ucd="meta.note"/>
      <FIELD name="semantics" datatype="char" arraysize="*" ucd="meta.code"/>
      <FIELD name="content_type" datatype="char" arraysize="*" ucd="meta.code.mime"/>
      <FIELD name="content_length" datatype="long" unit="byte" ucd="phys.size;meta.file"/>
      <FIELD name="content_qualifier" datatype="char" arraysize="*"/>
      <FIELD name="local_semantics" datatype="char" arraysize="*" ucd="meta.id.assoc"/>
      <FIELD name="link_auth" datatype="char" arraysize="*" ucd="meta.code"/>
      <DATA>
        <TABLEDATA>
          <TR><TD>${id}</TD><TD>https://h/files/raw?ID=a&amp;b</TD><TD/><TD/><TD/><TD>#this</TD><TD>application/fits</TD><TD>42</TD><TD/><TD/><TD/></TR>
        </TABLEDATA>
      </DATA>
    </TABLE>
  </RESOURCE>
</VOTABLE>
`);
  });

  it('escapes hostile IDs and texts so they parse back exactly, and stays valid', async () => {
    const nasty = 'ivo://x/y?a&b<c>"d\'e]]>\tf';
    const xml = linksVotable({ rows: [errorRow(nasty, 'UsageFault', `bad ${nasty}`), { id: nasty, accessUrl: 'https://h/?q=<&>', semantics: '#this', description: 'a\u0001b' }] });
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    const trs = parser.parse(xml).VOTABLE.RESOURCE[0].TABLE.DATA.TABLEDATA.TR;
    const cells = trs.map((tr: { TD: unknown[] }) => tr.TD);
    expect(cells[0][0]).toBe(nasty.replace('\t', '\t'));
    expect(cells[0][3]).toBe(`UsageFault: bad ${nasty}`);
    expect(cells[1][1]).toBe('https://h/?q=<&>');
    expect(cells[1][4]).toBe('a?b'); // a C0 control cannot appear in XML 1.0 at all
  });

  it('refuses rows without exactly one of access_url, service_def and error_message', () => {
    expect(() => linksVotable({ rows: [{ id, semantics: '#this' }] })).toThrow(/exactly one/);
    expect(() => linksVotable({ rows: [{ id, semantics: '#this', accessUrl: 'https://a', serviceDef: 'x' }] })).toThrow(/exactly one/);
  });

  it('gives an empty table, still valid, for no rows, and an OVERFLOW status when asked', async () => {
    const xml = linksVotable({ rows: [], status: 'OVERFLOW', message: 'only the first 100' });
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    expect(xml).toContain('<INFO name="QUERY_STATUS" value="OVERFLOW">only the first 100</INFO>');
    expect(xml).toContain('<TABLEDATA/>');
  });

  it('writes whole-request errors as DALI error VOTables starting with the fault label', async () => {
    const xml = linksErrorVotable('UsageFault', 'RESPONSEFORMAT "csv" is not supported');
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    expect(xml).toContain('<INFO name="QUERY_STATUS" value="ERROR">UsageFault: RESPONSEFORMAT "csv" is not supported</INFO>');
  });
});

describe('service descriptors', () => {
  const hints = { CIRCLE: { max: '10 -30 1.05' }, POLYGON: { max: coveringPolygon([10, -30, 1.05]).join(' ') }, BAND: { min: '3.7e-7', max: '5.8e-7' } };
  const sd = serviceDescriptor({ id: 'soda-sync-1', accessUrl: 'https://h/soda/sync', standardId: 'ivo://ivoa.net/std/SODA#sync-1.0', inputParams: sodaInputParams(sodaParameters, { id, hints }) });
  const doc = linksVotable({ rows: [{ id, serviceDef: 'soda-sync-1', semantics: '#proc' }], descriptors: [sd] });
  const meta = () => parser.parse(doc).VOTABLE.RESOURCE[1];
  const inputs = () => meta().GROUP.PARAM as Array<Record<string, unknown>>;
  const input = (name: string) => inputs().find((p) => p.name === name)!;

  it('is a top-level adhoc:service RESOURCE with accessURL and standardID as direct PARAMs', async () => {
    await expectValid(doc, 'votable');
    await expectVotlintClean(doc);
    expect(meta()).toMatchObject({ type: 'meta', utype: 'adhoc:service', ID: 'soda-sync-1' });
    expect(meta().PARAM.map((p: { name: string; value: string }) => [p.name, p.value])).toEqual([
      ['accessURL', 'https://h/soda/sync'],
      ['standardID', 'ivo://ivoa.net/std/SODA#sync-1.0'],
    ]);
    expect(meta().GROUP.name).toBe('inputParams');
  });

  it('fixes ID and leaves every other parameter value="" with the three-factor semantics of SODA', () => {
    expect(input('ID')).toMatchObject({ value: id, ucd: 'meta.id;meta.main' });
    for (const p of inputs().filter((x) => x.name !== 'ID')) expect(p.value).toBe('');
    expect(input('BAND')).toMatchObject({ datatype: 'double', arraysize: '2', xtype: 'interval', unit: 'm', ucd: 'em.wl;stat.interval' });
    expect(input('CIRCLE')).toMatchObject({ datatype: 'double', arraysize: '3', xtype: 'circle', unit: 'deg', ucd: 'pos.outline;obs' });
    expect(input('POS')).toMatchObject({ datatype: 'char', arraysize: '*', ucd: 'pos.outline;obs' });
    expect(input('TIME')).toMatchObject({ unit: 'd', ucd: 'time.interval;obs.exposure' });
    expect(inputs().map((p) => p.name)).toEqual(sodaParameters.map((p) => p.name));
  });

  it('hints the domain: OPTION value= for enumerations, MIN and MAX for intervals, only MAX for circle and polygon', () => {
    expect(input('ARMS').VALUES).toEqual({ OPTION: [{ value: 'blue' }, { value: 'red' }, { value: 'both' }] });
    expect(String(input('ARMS').DESCRIPTION)).toMatch(/Default: both\.$/);
    expect(input('BAND').VALUES).toEqual({ MIN: { value: '3.7e-7' }, MAX: { value: '5.8e-7' } });
    expect(input('CIRCLE').VALUES).toEqual({ MAX: { value: '10 -30 1.05' } });
    expect((input('POLYGON').VALUES as { MAX: { value: string } }).MAX.value.split(' ')).toHaveLength(16);
    expect(input('POLYGON').VALUES).not.toHaveProperty('MIN');
  });

  it('refuses an ID that is not an NCName and a relative accessURL', () => {
    expect(() => serviceDescriptor({ id: '1abc', accessUrl: 'https://h/x', inputParams: [] })).toThrow(/NCName/);
    expect(() => serviceDescriptor({ id: 'a:b', accessUrl: 'https://h/x', inputParams: [] })).toThrow(/NCName/);
    expect(() => serviceDescriptor({ id: 'ok', accessUrl: '/soda/sync', inputParams: [] })).toThrow(/absolute/);
  });

  it('writes PARAM value="" and VALUES in XSD order', () => {
    expect(param({ name: 'X', datatype: 'double', value: '', values: { options: [{ value: '1' }], max: '2', min: '0' } })).toBe(
      '<PARAM name="X" datatype="double" value="">\n  <VALUES>\n    <MIN value="0"/>\n    <MAX value="2"/>\n    <OPTION value="1"/>\n  </VALUES>\n</PARAM>',
    );
  });
});

describe('dataset domain hints', () => {
  const frame = { meanRaDeg: 10, meanDecDeg: -30, lambdaCAngstrom: 4800, dispersionAngstromPerPx: 1.04, naxis1: 2070, utMjd: 56926.5, exposedS: 1200 } as never;
  const rad = Math.PI / 180;
  const fibres = [
    { fibre: 1, name: 'a', type: 'P', raRad: 10.5 * rad, decRad: -30 * rad, pivot: 1, magnitude: 19 },
    { fibre: 2, name: 'b', type: 'S', raRad: 10 * rad, decRad: -29.2 * rad, pivot: 2, magnitude: null },
    { fibre: 3, name: 'p', type: 'N', raRad: Number.NaN, decRad: Number.NaN, pivot: 3, magnitude: null },
  ];

  it('covers every fibre with a position by the circle and the polygon', () => {
    const c = coveringCircle(frame, fibres)!;
    expect(c.slice(0, 2)).toEqual([10, -30]);
    expect(c[2]).toBeGreaterThanOrEqual(0.8);
    expect(c[2]).toBeLessThan(0.81);
    const poly = coveringPolygon(c);
    // Every vertex lies outside the circle (the octagon circumscribes it) and they turn counter-clockwise.
    let area = 0;
    for (let k = 0; k < 8; k++) {
      const [x1, y1, x2, y2] = [poly[2 * k], poly[2 * k + 1], poly[(2 * k + 2) % 16], poly[(2 * k + 3) % 16]];
      area += x1 * y2 - x2 * y1;
    }
    expect(area).toBeGreaterThan(0);
  });

  it('gives BAND from the central wavelength and detector width, and TIME from the exposure', () => {
    const h = datasetHints([frame], fibres);
    // Four significant digits: 0.05 nm, far below a resolution element.
    expect(Number(h.BAND.min)).toBeCloseTo((4800 - 1.04 * 1035) * 1e-10, 10);
    expect(Number(h.BAND.max)).toBeCloseTo((4800 + 1.04 * 1035) * 1e-10, 10);
    expect(h.TIME).toEqual({ min: '56926.5', max: String(Number((56926.5 + 1200 / 86400).toFixed(6))) });
  });
});
