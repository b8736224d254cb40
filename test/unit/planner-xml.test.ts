// The plan as XML: well-formed on its own (xmllint), valid inside a UWS 1.1 job's jobInfo (official XSD), and
// carrying the same steps, argv, calibrations and warnings as the plan object.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createPlan } from '../../src/planner/plan.js';
import { appendPlanXml, planNamespace, planXml, planXmlElement } from '../../src/vo/plan-xml.js';
import { newDocument, ns, toXml } from '../../src/vo/xml.js';
import { expectValid } from '../support/xsd.js';
import { buildNight, loadPresets, patchFrames } from './planner-fixture.js';
import { testPipeline } from '../support/fake-plan.js';

const night = '2014-09-26';
let frames = buildNight({
  night,
  calibrations: ['bias', 'bias'],
  fields: [{ cfgFile: 'G23_Y7_015_p0.sds', plate: 0, raDeg: 348.5, decDeg: -32.5, sequence: ['flat', 'arc', 'object', 'object', 'object'] }],
});
// An ignored exposure whose lamp name (quoted in the reason) has characters XML must escape.
frames = patchFrames(frames, ['26sep10007.fits', '26sep20007.fits'], { ndfClass: 'DARK', exposedS: 600, lampName: '<&"x">' });
const plan = createPlan({ pipeline: testPipeline, frames, request: { fields: [{ night, cfgFile: 'G23_Y7_015_p0.sds' }] }, presets: loadPresets() });

function xmllint(xml: string): Promise<{ ok: boolean; stderr: string }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-plan-')), 'plan.xml');
  writeFileSync(file, xml);
  return new Promise((resolve) => execFile('xmllint', ['--nonet', '--noout', file], { timeout: 30000 }, (err, _o, stderr) => resolve({ ok: !err, stderr })));
}

/** A minimal UWS 1.1 job document (children in the order UWS-v1.1.xsd requires) with the plan in jobInfo. */
function jobWithPlan(): string {
  const doc = newDocument();
  const job = doc.ele(ns.uws, 'uws:job').att('version', '1.1');
  job.att('xmlns:xlink', ns.xlink).att('xmlns:xsi', ns.xsi);
  job.ele(ns.uws, 'uws:jobId').txt('j1');
  job.ele(ns.uws, 'uws:ownerId').att(ns.xsi, 'xsi:nil', 'true');
  job.ele(ns.uws, 'uws:phase').txt('PENDING');
  job.ele(ns.uws, 'uws:creationTime').txt('2026-11-26T03:00:00Z');
  job.ele(ns.uws, 'uws:startTime').att(ns.xsi, 'xsi:nil', 'true');
  job.ele(ns.uws, 'uws:endTime').att(ns.xsi, 'xsi:nil', 'true');
  job.ele(ns.uws, 'uws:executionDuration').txt('0');
  job.ele(ns.uws, 'uws:destruction').att(ns.xsi, 'xsi:nil', 'true');
  job.ele(ns.uws, 'uws:results');
  appendPlanXml(job.ele(ns.uws, 'uws:jobInfo'), plan);
  return toXml(doc);
}

describe('plan XML for UWS jobInfo', () => {
  it('is a well-formed document in its own namespace', async () => {
    const xml = planXml(plan);
    const r = await xmllint(xml);
    expect(r).toEqual({ ok: true, stderr: '' });
    expect(xml).toContain(`<plan:plan xmlns:plan="${planNamespace}" formatVersion="1"`);
    expect(xml).toContain('DARK with lamp &lt;&amp;"x"&gt; on</plan:frame>');
  });

  it('embeds validly in a uws:job jobInfo element, through xmlbuilder2 or as text', async () => {
    await expectValid(jobWithPlan(), 'uws');
    const asText = jobWithPlan().replace(/<uws:jobInfo>[\s\S]*<\/uws:jobInfo>/, () => `<uws:jobInfo>\n${planXmlElement(plan, 2)}\n  </uws:jobInfo>`);
    expect(asText).toContain('    <plan:plan xmlns:plan="urn:drsoda:plan"');
    await expectValid(asText, 'uws');
  });

  it('carries every step with its inputs, outputs, dependencies and exact argv', () => {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['step', 'arg', 'input', 'output', 'dependsOn', 'warning', 'calibration', 'target', 'product', 'idxFile', 'frame'].includes(name) }).parse(
      jobWithPlan(),
    );
    const p = parsed.job.jobInfo.plan;
    expect(p.options).toEqual({ arms: 'both', idxPreset: 'aaomega', extraction: 'GAUSS', throughput: 'OFFSKY', skySubtraction: 'true', combine: 'true', splice: 'true' });
    expect(p.estimate).toEqual({ steps: String(plan.estimate.steps), totalCostS: String(plan.estimate.totalCostS), criticalPathS: String(plan.estimate.criticalPathS) });
    const steps = p.steps.step as Array<Record<string, any>>;
    expect(steps.map((s) => s.id)).toEqual(plan.steps.map((s) => s.id));
    steps.forEach((s, i) => {
      const want = plan.steps[i];
      expect(s.argv.arg.map(String)).toEqual(want.argv);
      expect(s.input.map((x: Record<string, string>) => x.file)).toEqual(want.inputs.map((x) => x.fileName));
      expect((s.dependsOn ?? []).map((d: Record<string, string>) => d.step)).toEqual(want.dependsOn);
      expect(s.output.filter((o: Record<string, string>) => o.product === 'true').map((o: Record<string, string>) => o.file)).toEqual(want.products);
      expect(s.idx.file).toBe(want.idx.fileName);
    });
    expect(p.idxFiles.idxFile.map((f: Record<string, string>) => [f.name, f['#text'] + '\n'])).toEqual([
      ['aaomega_580V.idx', plan.steps[0].idx.content],
      ['aaomega_385R.idx', plan.steps.find((s) => s.arm === 'red')!.idx.content],
    ]);
    expect(p.warnings.warning.map((w: Record<string, string>) => [w.code, w['#text']])).toEqual(plan.warnings.map((w) => [w.code, w.message]));
    expect(p.calibrations.calibration).toHaveLength(plan.calibrations.length);
    expect(p.ignored.frame.map((f: Record<string, string>) => f.file)).toEqual(['26sep10007.fits', '26sep20007.fits']);
    expect(p.targets.target[0].product.map((x: Record<string, string>) => x.file)).toEqual(plan.targets[0].products.map((x) => x.fileName));
  });
});
