// DataLink after a real reduction (the service as serve builds it: engine + reference reducer as local processes,
// previews, trusted-header owners): #derivation and #preview on the raw frame, product DIDs with #this,
// #progenitor and #calibration, the DataLink document of a finished SODA job's results, product files, and
// isolation (another user sees no products and gets 404; no credentials give 401 on product files).
import { createHash } from 'node:crypto';
import { stepOutputs } from '../../src/store/step-store.js';
import { createJob, postForm, waitFinal } from '../integration/uws-helpers.js';
import { simulatedArchive, startSodaApp, SODA_AUTHORITY, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { expectDatalinkLintClean, expectVotlintClean } from '../support/votlint.js';
import { expectValid } from '../support/xsd.js';
import { parseLinks, type LinkRowCells } from './datalink-night.js';

const alice = { 'x-remote-user': 'alice' };
const bob = { 'x-remote-user': 'bob' };

describe('DataLink of reduced products', () => {
  let archive: SimulatedArchive;
  let s: SodaTestApp;
  let jobUrl: string;
  let objectId: string;
  let biasId: string;

  const links = async (ids: string[], headers: Record<string, string> = alice) => {
    const res = await fetch(`${s.url}/soda/links?${new URLSearchParams(ids.map((id): [string, string] => ['ID', id]))}`, { headers });
    expect(res.status).toBe(200);
    const xml = await res.text();
    return { xml, ...parseLinks(xml) };
  };
  const bytes = async (url: string, headers: Record<string, string> = alice) => {
    const res = await fetch(url, { headers });
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    archive = await simulatedArchive();
    s = await startSodaApp(archive, { config: { AUTH_MODE: 'header' } });
    const blue = s.frames.filter((f) => f.arm === 'blue');
    objectId = blue.find((f) => f.ndfClass === 'MFOBJECT')!.id;
    biasId = blue.find((f) => f.ndfClass === 'BIAS')!.id;
    // One arm, no combining: the cheapest complete reduction (biases, tramlines, flat, arc, object).
    jobUrl = await createJob(`${s.url}/soda/async`, [['ID', objectId], ['ARMS', 'blue'], ['COMBINE', 'false'], ['SPLICE', 'false'], ['BAND', '5.0e-7 5.4e-7'], ['PHASE', 'RUN']], alice);
    expect(await waitFinal(jobUrl, 300, alice)).toBe('COMPLETED');
  }, 360000);
  afterAll(async () => {
    await s?.close();
  });

  it('lists the products made from a raw frame as #derivation with their previews, each downloadable by its owner', async () => {
    const { xml, rows } = await links([objectId]);
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    await expectDatalinkLintClean(xml);
    const files = rows.filter((r) => r.semantics === '#derivation' && r.content_type === 'application/fits');
    expect(files.map((r) => [r.local_semantics, r.content_qualifier, r.link_auth])).toEqual([['reduce_object', '#spectrum', 'true']]);
    const [stepId, fileName] = files[0].access_url.split('/files/products/')[1].split('/');
    const [out] = (await stepOutputs(s.db.pool, stepId)).filter((o) => o.fileName === decodeURIComponent(fileName));
    expect(Number(files[0].content_length)).toBe(out.size);
    const got = await bytes(files[0].access_url);
    expect([got.status, got.type, got.body.length]).toEqual([200, 'application/fits', out.size]);
    expect(createHash('sha256').update(got.body).digest('hex')).toBe(out.sha256);
    // The recursive row leads to the product's own links.
    const recursive = rows.find((r) => r.semantics === '#derivation' && r.content_type === 'application/x-votable+xml;content=datalink')!;
    expect(decodeURIComponent(recursive.access_url.split('ID=')[1])).toBe(`ivo://${SODA_AUTHORITY}/products?${stepId}/${decodeURIComponent(fileName)}`);
    const preview = rows.find((r) => r.semantics === '#preview')!;
    expect(preview).toMatchObject({ content_type: 'image/png', access_url: files[0].access_url.replace(/\.fits$/, '.png') });
    const png = await bytes(preview.access_url);
    expect([png.status, png.type, png.body.subarray(1, 4).toString()]).toEqual([200, 'image/png', 'PNG']);
    expect(png.body.length).toBe(Number(preview.content_length));
  });

  it('gives a bias frame its reduced frame and the combined bias as #derivation', async () => {
    const { rows } = await links([biasId]);
    expect(rows.filter((r) => r.semantics === '#derivation' && r.content_type === 'application/fits').map((r) => [r.local_semantics, r.content_qualifier])).toEqual([
      ['reduce_bias', '#image'], ['combine_image', '#image'],
    ]);
  });

  it('resolves a product DID: #this, #progenitor (the raw frame it reduces), #calibration (the raw frames behind its calibrations)', async () => {
    const recursive = (await links([objectId])).rows.find((r) => r.content_type === 'application/x-votable+xml;content=datalink')!;
    const res = await fetch(recursive.access_url, { headers: alice });
    const xml = await res.text();
    await expectValid(xml, 'votable');
    await expectDatalinkLintClean(xml);
    const { rows } = parseLinks(xml);
    const raw = (r: LinkRowCells) => decodeURIComponent(r.access_url.split('ID=')[1]);
    expect(rows[0]).toMatchObject({ semantics: '#this', content_type: 'application/fits', content_qualifier: '#spectrum' });
    expect(rows.filter((r) => r.semantics === '#progenitor').map(raw)).toEqual([objectId]);
    const calibrations = rows.filter((r) => ['#bias', '#flat', '#calibration'].includes(r.semantics));
    const blue = s.frames.filter((f) => f.arm === 'blue' && f.ndfClass !== 'MFOBJECT');
    expect(calibrations.map(raw).sort()).toEqual(blue.map((f) => f.id).sort());
    expect(calibrations.filter((r) => r.semantics === '#bias')).toHaveLength(blue.filter((f) => f.ndfClass === 'BIAS').length);
    expect(rows.filter((r) => r.semantics === '#preview')).toHaveLength(1);
  });

  it('keeps products to the owners of the jobs that used them', async () => {
    const mine = await links([objectId]);
    const productDid = decodeURIComponent(mine.rows.find((r) => r.content_type === 'application/x-votable+xml;content=datalink')!.access_url.split('ID=')[1]);
    const file = mine.rows.find((r) => r.semantics === '#derivation')!.access_url;
    // Bob and an anonymous caller see the raw frame's links, but no product.
    for (const headers of [bob, {}]) {
      const { rows } = await links([objectId, productDid], headers);
      expect(rows.filter((r) => r.semantics === '#derivation' || r.semantics === '#preview')).toEqual([]);
      expect(rows.filter((r) => r.ID === productDid).map((r) => r.error_message)).toEqual([expect.stringMatching(/^NotFoundFault: no product .* is available to you$/)]);
    }
    expect((await bytes(file, bob)).status).toBe(404);
    expect((await bytes(file, {})).status).toBe(401);
    expect((await bytes(file.replace(/\.fits$/, '.png'), bob)).status).toBe(404);
    // The job's own links are the job's: another user gets 404 as for the job itself.
    expect((await fetch(`${jobUrl}/links`, { headers: bob })).status).toBe(404);
  });

  it('gives a finished job\'s results as DataLink: #this per result, its uncut product and raw inputs, calibrations, #proc', async () => {
    const res = await fetch(`${jobUrl}/links`, { headers: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-votable+xml;content=datalink');
    const xml = await res.text();
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    await expectDatalinkLintClean(xml);
    const { rows, info, descriptors } = parseLinks(xml);
    expect(info.QUERY_STATUS).toBe('OK');
    const job = await (await fetch(`${jobUrl}/results`, { headers: alice })).text();
    const hrefs = [...job.matchAll(/xlink:href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toHaveLength(1);
    expect([...new Set(rows.map((r) => r.ID))]).toEqual(hrefs);
    const kinds = rows.map((r) => r.semantics);
    expect(kinds[0]).toBe('#this');
    expect(rows[0]).toMatchObject({ access_url: hrefs[0], content_type: 'application/fits', content_qualifier: '#spectrum' });
    expect(rows[0].description).toMatch(/BAND 5\.0e-7 5\.4e-7/);
    // The uncut product (a FITS file of the product store) and the raw object frame are its progenitors.
    expect(rows.filter((r) => r.semantics === '#progenitor').map((r) => r.access_url.includes('/files/products/') ? 'product' : decodeURIComponent(r.access_url.split('ID=')[1]))).toEqual(['product', objectId]);
    expect(kinds).toEqual(expect.arrayContaining(['#preview', '#bias', '#flat', '#calibration', '#proc']));
    expect(descriptors).toHaveLength(1);
    expect(descriptors[0].GROUP.PARAM.find((p: { name: string }) => p.name === 'ID').value).toBe(objectId);
    // The result behind #this is the job's result file.
    const got = await bytes(rows[0].access_url);
    expect([got.status, got.body.length]).toEqual([200, Number(rows[0].content_length)]);
  });

  it('answers a job that has not finished with an empty table, and an unknown job with a NotFoundFault VOTable', async () => {
    const pending = await createJob(`${s.url}/soda/async`, [['ID', objectId], ['ARMS', 'blue']], alice);
    const res = await fetch(`${pending}/links`, { headers: alice });
    const xml = await res.text();
    expect(res.status).toBe(200);
    await expectValid(xml, 'votable');
    expect(parseLinks(xml).rows).toEqual([]);
    expect(xml).toMatch(/is PENDING: 0 result\(s\)/);
    const missing = await fetch(`${s.url}/soda/async/nosuchjob/links`, { headers: alice });
    expect(missing.status).toBe(404);
    const body = await missing.text();
    await expectValid(body, 'votable');
    expect(body).toContain('<INFO name="QUERY_STATUS" value="ERROR">NotFoundFault: no job nosuchjob</INFO>');
    await postForm(`${pending}`, { ACTION: 'DELETE' }, alice);
  });
});
