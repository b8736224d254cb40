// /soda/links on a small simulated night served by the real app: the rows each kind of ID gets (#this,
// #calibration from the planner, #proc descriptors, fault rows), the DataLink and DALI protocol rules
// (GET and POST, repeats, no ID, cap and OVERFLOW, RESPONSEFORMAT, error documents), and every document
// against the VOTable XSD, votlint and datalinklint.
import { createHash } from 'node:crypto';
import { formatFieldDid, formatNightDid } from '../../src/archive/dids.js';
import { createPlan } from '../../src/planner/plan.js';
import { committedPresets } from '../../src/soda/parameters.js';
import { markMissing } from '../../src/store/frame-store.js';
import { expectDatalinkLintClean, expectVotlintClean } from '../support/votlint.js';
import { expectValid } from '../support/xsd.js';
import { getLinks, NIGHT, parseLinks as parse, startDemoNight, type DemoNight } from './datalink-night.js';
import { testPipeline } from '../support/fake-plan.js';

describe('GET|POST /soda/links', () => {
  let n: DemoNight;
  beforeAll(async () => {
    n = await startDemoNight();
  }, 60000);
  afterAll(() => n.close());

  it('gives an object frame #this (the raw file), #proc and #calibration rows for exactly the frames the planner uses', async () => {
    const r = await getLinks(n.app, [n.object.id]);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/x-votable+xml;content=datalink');
    await expectValid(r.body, 'votable');
    await expectVotlintClean(r.body);
    await expectDatalinkLintClean(r.body);
    const { rows, info } = parse(r.body);
    expect(info).toEqual({ QUERY_STATUS: 'OK', standardID: 'ivo://ivoa.net/std/DataLink#links-1.1' });
    expect(rows.every((x) => x.ID === n.object.id)).toBe(true);
    expect(rows[0]).toMatchObject({ semantics: '#this', content_type: 'application/fits', content_length: String(n.object.sizeBytes), link_auth: 'false' });
    // The raw file behind #this is the frame's bytes.
    const raw = Buffer.from(await (await fetch(rows[0].access_url)).arrayBuffer());
    expect(raw.length).toBe(n.object.sizeBytes);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(n.object.sha256);
    expect(rows[1]).toMatchObject({ semantics: '#proc', service_def: 'soda-sync-1', content_type: 'application/fits' });
    const plan = createPlan({ pipeline: testPipeline, frames: n.frames.filter((f) => f.arm === 'blue'), request: { frameIds: [n.object.id] }, options: { arms: 'blue', combine: false, splice: false }, presets: committedPresets });
    const used = new Set(plan.steps.flatMap((s) => s.inputs.flatMap((i) => (i.kind === 'raw' && i.frameId !== n.object.id ? [i.frameId] : []))));
    const cal = rows.slice(2);
    const byFile = (semantics: string) => cal.filter((x) => x.semantics === semantics).map((x) => x.description.match(/frame (\S+)/)![1]).sort();
    expect(cal.map((x) => decodeURIComponent(x.access_url.split('ID=')[1])).sort()).toEqual([...used].sort());
    expect(byFile('#bias')).toEqual(['26sep10001.fits', '26sep10002.fits']);
    expect(byFile('#flat')).toEqual(['26sep10003.fits']);
    expect(byFile('#calibration')).toEqual(['26sep10004.fits']);
    expect(cal.find((x) => x.semantics === '#flat')).toMatchObject({ local_semantics: 'fflat tlm', content_length: '2350080' });
    expect(cal.find((x) => x.semantics === '#calibration')!.description).toMatch(/wavelength calibration/);
  });

  it('presets ID in the #proc descriptor and gives the dataset domain: both arms\' band, the exposure, a covering circle', async () => {
    const { descriptors } = parse((await getLinks(n.app, [n.object.id])).body);
    expect(descriptors).toHaveLength(1);
    const d = descriptors[0];
    expect(d).toMatchObject({ ID: 'soda-sync-1', utype: 'adhoc:service' });
    expect(Object.fromEntries(d.PARAM.map((p: { name: string; value: string }) => [p.name, p.value]))).toEqual({
      accessURL: `${n.app.url}/soda/sync`,
      standardID: 'ivo://ivoa.net/std/SODA#sync-1.0',
    });
    const inputs = Object.fromEntries(d.GROUP.PARAM.map((p: { name: string }) => [p.name, p]));
    expect(inputs.ID.value).toBe(n.object.id);
    const red = n.frames.find((f) => f.arm === 'red' && f.run === n.object.run)!;
    const [lo, hi] = [inputs.BAND.VALUES.MIN.value, inputs.BAND.VALUES.MAX.value].map(Number);
    expect(lo).toBeCloseTo((n.object.lambdaCAngstrom - (n.object.dispersionAngstromPerPx * n.object.naxis1) / 2) * 1e-10, 10);
    expect(hi).toBeCloseTo((red.lambdaCAngstrom + (red.dispersionAngstromPerPx * red.naxis1) / 2) * 1e-10, 10);
    expect(Number(inputs.TIME.VALUES.MIN.value)).toBeCloseTo(n.object.utMjd, 5);
    const [ra, dec, r] = inputs.CIRCLE.VALUES.MAX.value.split(' ').map(Number);
    expect([ra, dec]).toEqual([Number(n.object.meanRaDeg!.toFixed(6)), Number(n.object.meanDecDeg!.toFixed(6))]);
    expect(r).toBeGreaterThan(0.5);
    expect(r).toBeLessThanOrEqual(1.05);
  });

  it('answers unknown, foreign and malformed IDs with fault rows, echoing each ID exactly, in request order', async () => {
    const ids = [`ivo://drsoda.example.org/aat?${NIGHT}/ccd1/9999`, 'ivo://elsewhere.org/aat?2014-09-26/ccd1/0005', 'not an <id> & more', `ivo://drsoda.example.org/aat?${NIGHT}/ccd1/5`, n.object.id];
    const r = await getLinks(n.app, ids);
    expect(r.status).toBe(200);
    await expectValid(r.body, 'votable');
    await expectVotlintClean(r.body);
    const { rows } = parse(r.body);
    const firstOf = ids.map((id) => rows.find((x) => x.ID === id)!);
    expect(firstOf.slice(0, 4).map((x) => [x.semantics, x.error_message.split(':')[0]])).toEqual([
      ['#this', 'NotFoundFault'], ['#this', 'NotFoundFault'], ['#this', 'UsageFault'], ['#this', 'UsageFault'],
    ]);
    expect(firstOf[3].error_message).toMatch(/canonical form; use .*\/ccd1\/0005/);
    // Rows of one ID are consecutive and IDs come in request order.
    const order = rows.map((x) => x.ID).filter((id, i, a) => i === 0 || a[i - 1] !== id);
    expect(order).toEqual(ids);
  });

  it('gives a field ID #proc and every object frame of the configuration as #this; a night ID the same for the night', async () => {
    const field = formatFieldDid('drsoda.example.org', { night: NIGHT, cfg: n.object.cfgFile });
    const night = formatNightDid('drsoda.example.org', NIGHT);
    const r = await getLinks(n.app, [field, night, formatNightDid('drsoda.example.org', '2014-09-27')]);
    await expectValid(r.body, 'votable');
    await expectDatalinkLintClean(r.body);
    const { rows, descriptors } = parse(r.body);
    const objects = n.frames.filter((f) => f.ndfClass === 'MFOBJECT').map((f) => f.fileName).sort();
    for (const id of [field, night]) {
      const mine = rows.filter((x) => x.ID === id);
      expect(mine[0]).toMatchObject({ semantics: '#proc' });
      expect(mine.filter((x) => x.semantics === '#this').map((x) => x.description.match(/frame (\S+)/)![1]).sort()).toEqual(objects);
    }
    expect(rows.filter((x) => x.ID.endsWith('2014-09-27')).map((x) => x.error_message)).toEqual(['NotFoundFault: no object frames for night 2014-09-27 in the archive']);
    expect(descriptors.map((d: { GROUP: { PARAM: Array<{ name: string; value: string }> } }) => d.GROUP.PARAM.find((p) => p.name === 'ID')!.value)).toEqual([field, night]);
    // A night spans fields: no covering circle is claimed for it.
    expect(descriptors[1].GROUP.PARAM.find((p: { name: string }) => p.name === 'CIRCLE').VALUES).toBeUndefined();
  });

  it('gives a calibration frame its own #proc and calibrations, and a bias none', async () => {
    const arc = n.frames.find((f) => f.ndfClass === 'MFARC' && f.arm === 'red')!;
    const bias = n.frames.find((f) => f.ndfClass === 'BIAS' && f.arm === 'red')!;
    const { rows } = parse((await getLinks(n.app, [arc.id, bias.id])).body);
    expect(rows.filter((x) => x.ID === arc.id).map((x) => x.semantics)).toEqual(['#this', '#proc', '#bias', '#bias', '#flat']);
    expect(rows.filter((x) => x.ID === bias.id).map((x) => x.semantics)).toEqual(['#this', '#proc']);
  });

  it('says why a frame cannot be reduced instead of offering #proc', async () => {
    // The blue arc goes missing from the archive: blue objects have no wavelength calibration left.
    const arc = n.frames.find((f) => f.ndfClass === 'MFARC' && f.arm === 'blue')!;
    const present = n.frames.filter((f) => f.relPath.startsWith('140926/ccd_1/') && f.id !== arc.id).map((f) => f.relPath);
    expect(await markMissing(n.db.pool, n.root, '140926/ccd_1/', present)).toBe(1);
    try {
      const { rows } = parse((await getLinks(n.app, [n.object.id, arc.id])).body);
      expect(rows.filter((x) => x.ID === n.object.id).map((x) => [x.semantics, x.error_message?.split(':')[0]])).toEqual([['#this', undefined], ['#calibration', 'NotFoundFault']]);
      expect(rows.filter((x) => x.ID === arc.id).map((x) => x.error_message)).toEqual([`NotFoundFault: no frame ${arc.id} in the archive`]);
    } finally {
      await n.db.pool.query('update frame set missing_since = null where id = $1', [arc.id]);
    }
  });

  it('answers no ID with an empty, valid table', async () => {
    const r = await getLinks(n.app, []);
    expect(r.status).toBe(200);
    await expectValid(r.body, 'votable');
    await expectVotlintClean(r.body);
    expect(parse(r.body).rows).toEqual([]);
  });

  it('takes IDs from a POSTed form (urlencoded and multipart), names case-insensitively, repeats answered once', async () => {
    const field = formatFieldDid('drsoda.example.org', { night: NIGHT, cfg: n.object.cfgFile });
    const form = new URLSearchParams([['id', n.object.id], ['Id', field], ['ID', n.object.id]]);
    const a = await fetch(`${n.app.url}/soda/links`, { method: 'POST', body: form });
    const fd = new FormData();
    fd.append('iD', n.object.id);
    fd.append('ID', field);
    const b = await fetch(`${n.app.url}/soda/links`, { method: 'POST', body: fd });
    const get = await getLinks(n.app, [n.object.id, field]);
    for (const res of [a, b]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-votable+xml;content=datalink');
      const rows = parse(await res.text()).rows;
      expect(rows).toEqual(parse(get.body).rows);
      expect([...new Set(rows.map((x) => x.ID))]).toEqual([n.object.id, field]);
    }
  });

  it('caps IDs per request at 100 with QUERY_STATUS=OVERFLOW, never splitting an ID', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `ivo://drsoda.example.org/aat?${NIGHT}/ccd1/${String(1000 + i)}`);
    const res = await fetch(`${n.app.url}/soda/links`, { method: 'POST', body: new URLSearchParams(ids.map((id): [string, string] => ['ID', id])) });
    const xml = await res.text();
    await expectValid(xml, 'votable');
    const { rows, info } = parse(xml);
    expect(info.QUERY_STATUS).toBe('OVERFLOW');
    expect(rows.map((x) => x.ID)).toEqual(ids.slice(0, 100));
    expect(xml).toMatch(/only the first 100 of 101 IDs/);
  });

  it('honours RESPONSEFORMAT: VOTable forms answered, echoing an explicit media type; others a UsageFault error VOTable', async () => {
    for (const [format, type] of [
      ['votable', 'application/x-votable+xml;content=datalink'],
      ['application/x-votable+xml', 'application/x-votable+xml'],
      ['application/x-votable+xml;content=datalink', 'application/x-votable+xml;content=datalink'],
      ['text/xml', 'text/xml'],
    ]) {
      const r = await getLinks(n.app, [n.object.id], { RESPONSEFORMAT: format });
      expect([format, r.status, r.type]).toEqual([format, 200, type]);
    }
    const bad = await getLinks(n.app, [n.object.id], { RESPONSEFORMAT: 'text/csv' });
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/x-votable\+xml/);
    await expectValid(bad.body, 'votable');
    await expectVotlintClean(bad.body);
    expect(parse(bad.body).info.QUERY_STATUS).toBe('ERROR');
    expect(bad.body).toMatch(/<INFO name="QUERY_STATUS" value="ERROR">UsageFault: RESPONSEFORMAT "text\/csv" is not supported/);
    const twice = await getLinks(n.app, [n.object.id], { RESPONSEFORMAT: 'votable', responseformat: 'votable' });
    expect(twice.status).toBe(400);
    const empty = await getLinks(n.app, ['']);
    expect([empty.status, empty.body.includes('UsageFault: ID must not be empty')]).toEqual([400, true]);
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    const res = await fetch(`${n.app.url}/soda/links?ID=x`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('passes datalinklint fetched over HTTP, which also checks the Content-Type', async () => {
    await expectDatalinkLintClean(`${n.app.url}/soda/links?ID=${encodeURIComponent(n.object.id)}`);
  });
});
