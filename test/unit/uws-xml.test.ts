// The UWS document builders against the official UWS-v1.1.xsd, for every shape a job can take, plus the
// exact text of a small job document (prefixes, order, nil, time format) for review.
import fc from 'fast-check';
import type { Job } from '../../src/domain/job.js';
import { checkXmlFragment, createJobInfoChecker, errorVotable, jobListXml, jobRefFragments, jobXml, parametersXml, resultsXml } from '../../src/vo/uws-xml.js';
import { expectValid } from '../support/xsd.js';

const urls = { jobsUrl: 'https://example.org/soda/async' };
const t = (s: string) => new Date(`2025-03-01T10:00:${s}Z`);

const pending: Job = {
  id: 'k3x9q2',
  kind: 'sleep',
  ownerId: null,
  runId: null,
  phase: 'PENDING',
  quote: null,
  creationTime: t('00.000'),
  startTime: null,
  endTime: null,
  executionDuration: 0,
  destruction: null,
  error: null,
  jobInfo: null,
  progress: null,
  parameters: [],
  results: [],
  version: '1',
};

const everything: Job = {
  ...pending,
  ownerId: 'alice@example.org',
  runId: 'run <7> & "eight"',
  phase: 'ERROR',
  quote: t('30.000'),
  startTime: t('01.250'),
  endTime: t('09.900'),
  executionDuration: 3600,
  destruction: t('59.999'),
  error: { type: 'transient', message: 'Error: node <lost>', detail: null, detailType: null },
  jobInfo: '<plan xmlns="urn:drsoda:plan" version="1"><step id="a"/>text &amp; more</plan><x:y xmlns:x="urn:x"/>',
  progress: { fraction: 0.5, message: 'half' },
  parameters: [
    { name: 'ID', value: 'ivo://example.org/data?obs42/img1&x=1', byReference: false },
    { name: 'BAND', value: '5e-7 6e-7', byReference: false },
    { name: 'BAND', value: '6e-7 7e-7', byReference: false },
    { name: 'T1', value: 't1', byReference: true },
  ],
  results: [
    { id: 'cutout-1', href: null, path: 'c1.fits', mimeType: 'application/fits', size: 2880000 },
    { id: 'ext', href: 'https://cdn.example.org/a?b=1&c=2', path: null, mimeType: null, size: null },
  ],
};

describe('UWS XML builders', () => {
  it('writes a small job exactly as reviewed (literal prefixes, version, order, xsi:nil)', () => {
    expect(jobXml(pending, urls)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1">
  <uws:jobId>k3x9q2</uws:jobId>
  <uws:ownerId xsi:nil="true"/>
  <uws:phase>PENDING</uws:phase>
  <uws:quote xsi:nil="true"/>
  <uws:creationTime>2025-03-01T10:00:00.000Z</uws:creationTime>
  <uws:startTime xsi:nil="true"/>
  <uws:endTime xsi:nil="true"/>
  <uws:executionDuration>0</uws:executionDuration>
  <uws:destruction xsi:nil="true"/>
  <uws:parameters/>
  <uws:results/>
</uws:job>`);
  });

  it.each([
    ['pending', pending],
    ['everything', everything],
    ['aborted (no errorSummary even with an error recorded)', { ...everything, phase: 'ABORTED' } as Job],
    ['completed', { ...everything, phase: 'COMPLETED', error: null, jobInfo: null } as Job],
  ])('writes a valid job document: %s', async (_name, job) => {
    const xml = jobXml(job, urls);
    await expectValid(xml, 'uws');
    expect(xml.includes('<uws:errorSummary')).toBe(job.phase === 'ERROR');
  });

  it('writes valid results, parameters and job list documents', async () => {
    for (const xml of [resultsXml(everything, urls), resultsXml(pending, urls), parametersXml(everything, urls), parametersXml(pending, urls), jobListXml([], urls)]) {
      await expectValid(xml, 'uws');
    }
    const list = jobListXml([{ id: 'a', version: '7', phase: 'QUEUED', runId: 'r', ownerId: null, creationTime: t('00.000') }, { id: 'b', version: '8', phase: 'ARCHIVED', runId: null, ownerId: 'bob', creationTime: t('01.000') }], urls);
    await expectValid(list, 'uws');
    expect(list).toContain('<uws:jobref id="a" xlink:href="https://example.org/soda/async/a">');
    expect(parametersXml(everything, urls)).toContain('<uws:parameter id="T1" byReference="true">https://example.org/soda/async/k3x9q2/parameters/t1</uws:parameter>');
    expect(resultsXml(everything, urls)).toContain('xlink:href="https://example.org/soda/async/k3x9q2/results/cutout-1" size="2880000" mime-type="application/fits"');
  });

  it('writes the same job list from kept jobrefs, and a job anew when its version moves', async () => {
    const refs = [
      { id: 'a', version: '7', phase: 'QUEUED' as const, runId: 'r<&>"1', ownerId: null, creationTime: t('00.000') },
      { id: 'b', version: '8', phase: 'EXECUTING' as const, runId: null, ownerId: 'bob', creationTime: t('01.000') },
      { id: 'c', version: '9', phase: 'PENDING' as const, runId: null, ownerId: 'carol', creationTime: t('02.000') },
    ];
    const kept = jobRefFragments(urls, 2);
    expect(jobListXml(refs, urls, kept)).toBe(jobListXml(refs, urls));
    // Again: from what was kept (a and b may have been pushed out by the bound of 2; the text is the same).
    expect(jobListXml(refs, urls, kept)).toBe(jobListXml(refs, urls));
    const moved = [{ ...refs[0], version: '10', phase: 'COMPLETED' as const }, refs[1], refs[2]];
    const list = jobListXml(moved, urls, kept);
    expect(list).toBe(jobListXml(moved, urls));
    expect(list).toContain('<uws:phase>COMPLETED</uws:phase>');
    expect(list).not.toContain('<uws:phase>QUEUED</uws:phase>');
    await expectValid(list, 'uws');
  });

  it('stays valid for any XML-legal parameter value and run id', async () => {
    const legal = fc.string({ unit: fc.constantFrom('a', '<', '&', '>', '"', "'", ' ', '\t', '\n', 'é', '€', ']]>', '\u{1F600}') });
    const samples = fc.sample(fc.tuple(legal, legal), { numRuns: 5, seed: 7 });
    for (const [value, runId] of samples) {
      const xml = jobXml({ ...pending, runId, parameters: [{ name: 'P', value, byReference: false }] }, urls);
      await expectValid(xml, 'uws');
    }
  });

  it('stores only jobInfo that stays well-formed when written verbatim into the job document', async () => {
    const good = ['<a xmlns="urn:x">1 &lt; 2 &amp; &#x41;&#10;</a>', '<a><![CDATA[ & < ]]]></a>', '<!-- note --><a/>\n  <b/>'];
    for (const f of good) {
      expect(() => checkXmlFragment(f)).not.toThrow();
      await expectValid(jobXml({ ...pending, jobInfo: f }, urls), 'uws');
    }
    const bad = ['<!-- a -- b --><a/>', '<!-- a ---><a/>', 'text <a/>', '<a/><![CDATA[x]]>', '<a>', '<a>&nbsp;</a>', '<a>&#0;</a>', '<a>&#x1F;</a>', '<a>x ]]> y</a>', '<?xml version="1.0"?><a/>', '<!DOCTYPE a><a/>', '<a>\u0001</a>'];
    for (const f of bad) expect(() => checkXmlFragment(f)).toThrow(/not well-formed|not valid UWS/);
  });

  it('checks the jobInfo of jobs that differ only by id once, and never lets an id make a fragment ill-formed', () => {
    const check = createJobInfoChecker();
    const summary = (id: string) => `<plan:summary xmlns:plan="urn:p" xlink:href="https://h/soda/async/${id}/plan" xmlns:xlink="urn:x"><plan:note>${id}</plan:note></plan:summary>`;
    for (const id of ['Ab3_x-9', '-lead', '9digit', 'x--y']) expect(() => check(summary(id), id)).not.toThrow();
    // Places where an id with "-", a digit or "--" is not well-formed: the check fails whatever was passed before.
    const asName = (id: string) => `<a/><${id}/>`;
    expect(() => check(asName('ok'), 'ok')).not.toThrow();
    for (const id of ['-lead', '9digit']) expect(() => check(asName(id), id)).toThrow(/not well-formed/);
    const inComment = (id: string) => `<!-- job ${id} --><a/>`;
    expect(() => check(inComment('fine'), 'fine')).not.toThrow();
    expect(() => check(inComment('x--y'), 'x--y')).toThrow(/not well-formed/);
    const asEntity = (id: string) => `<a>&${id};</a>`;
    expect(() => check(asEntity('lt'), 'lt')).not.toThrow();
    expect(() => check(asEntity('-x'), '-x')).toThrow(/not well-formed/);
    // Broken without the id too.
    expect(() => check(`<a>${'id1'}`, 'id1')).toThrow(/not well-formed/);
  });

  it('writes a valid VOTable error document for /error', async () => {
    await expectValid(errorVotable('Error: disk <full> & "more"'), 'votable');
  });
});
