// Classification: NDFCLASS against FLAPS, LAMPNAME and EXPOSED, the documented reclassify/ignore rule table,
// duplicates, and observing blocks.
import type { FrameRecord } from '../../src/domain/frame.js';
import { classifyFrames, judge, lampKind } from '../../src/planner/classify.js';
import { FrameIndex } from '../../src/planner/frame-index.js';
import { buildNight } from './planner-fixture.js';

const base: FrameRecord = buildNight({
  night: '2014-09-26',
  fields: [{ cfgFile: 'G23_Y7_015_p0.sds', plate: 0, raDeg: 348.5, decDeg: -32.5, sequence: ['object'] }],
  arms: ['blue'],
})[0];

const frame = (p: Partial<FrameRecord>): FrameRecord => ({ ...base, ...p });

describe('planner: classification', () => {
  it('tells arc lamps from continuum lamps', () => {
    expect(['', 'NONE', 'CuAr', 'CuAr+FeAr', 'FeAr', 'ThAr', 'Quartz', '75W', 'QUARTZ+ND', 'Mystery'].map(lampKind)).toEqual([
      'none', 'none', 'arc', 'arc', 'arc', 'arc', 'continuum', 'continuum', 'continuum', 'unknown',
    ]);
  });

  it.each([
    // recorded class, header patch, verdict
    ['MFOBJECT', {}, 'MFOBJECT'],
    ['MFOBJECT', { flaps: 'CLOSED', lampName: 'CuAr' }, 'MFARC (MFOBJECT with FLAPS CLOSED and arc lamp CuAr)'],
    ['MFOBJECT', { flaps: 'CLOSED', lampName: '75W' }, 'MFFFF (MFOBJECT with FLAPS CLOSED and continuum lamp 75W)'],
    ['MFOBJECT', { flaps: 'CLOSED', lampName: '' }, 'ignored: MFOBJECT with FLAPS CLOSED: no sky light reaches the fibres'],
    ['MFOBJECT', { exposedS: 0 }, 'ignored: MFOBJECT with EXPOSED=0 s'],
    ['MFSKY', {}, 'MFSKY'],
    ['SFLAT', {}, 'MFSKY (SFLAT (offset flat) is used as an offset sky)'],
    ['MFFFF', { flaps: 'CLOSED', lampName: '75W', exposedS: 6 }, 'MFFFF'],
    ['MFFFF', { flaps: 'CLOSED', lampName: 'CuAr', exposedS: 6 }, 'MFARC (MFFFF lit by arc lamp CuAr)'],
    ['MFFFF', { exposedS: 0 }, 'ignored: MFFFF with EXPOSED=0 s'],
    ['MFARC', { flaps: 'CLOSED', lampName: 'CuAr' }, 'MFARC'],
    ['MFARC', { flaps: 'CLOSED', lampName: '' }, 'MFARC'],
    ['MFARC', { flaps: 'CLOSED', lampName: 'Quartz' }, 'MFFFF (MFARC lit by continuum lamp Quartz)'],
    ['MFARC', { flaps: 'OPEN', lampName: '' }, 'ignored: MFARC with no lamp and FLAPS OPEN'],
    ['BIAS', { exposedS: 0 }, 'BIAS'],
    ['BIAS', { exposedS: 1200 }, 'ignored: BIAS with EXPOSED=1200 s'],
    ['DARK', { exposedS: 1800 }, 'DARK'],
    ['DARK', { exposedS: 0 }, 'BIAS (DARK with EXPOSED=0 s is a bias)'],
    ['DARK', { exposedS: 600, lampName: 'CuAr' }, 'ignored: DARK with lamp CuAr on'],
    ['DFLAT', { exposedS: 10 }, 'LFLAT (DFLAT is the old name of LFLAT)'],
    ['MFFLX', {}, 'ignored: class MFFLX is not reduced by drsoda'],
    ['', {}, 'ignored: no NDFCLASS'],
  ] as const)('%s %j -> %s', (ndfClass, patch, expected) => {
    const v = judge(frame({ ndfClass, ...patch }));
    const got = 'ignore' in v ? `ignored: ${v.ignore}` : v.reason ? `${v.cls} (${v.reason})` : v.cls;
    expect(got).toBe(expected);
  });

  it('reports reclassified and ignored frames, drops duplicates and fibre frames without a configuration', () => {
    const a = frame({});
    const c = classifyFrames([
      a,
      { ...a, id: 'ivo://dup', relPath: 'z/dup.fits' },
      frame({ id: 'ivo://2', run: 2, fileName: '26sep10002.fits', ndfClass: 'DARK', exposedS: 0 }),
      frame({ id: 'ivo://3', run: 3, fileName: '26sep10003.fits', cfgFile: '' }),
      a,
    ]);
    expect(c.frames.map((f) => `${f.frame.fileName} ${f.cls} ${f.setup}`)).toEqual(['26sep10001.fits MFOBJECT 580V 4800.0A NORMAL', '26sep10002.fits BIAS 580V 4800.0A NORMAL']);
    expect(c.reclassified.map((r) => `${r.fileName} ${r.from}->${r.to}`)).toEqual(['26sep10002.fits DARK->BIAS']);
    expect(c.ignored.map((i) => `${i.fileName}: ${i.reason}`)).toEqual([
      `26sep10001.fits: duplicate of 26sep10001.fits (${a.id}): same night, CCD and run`,
      '26sep10003.fits: MFOBJECT without a 2dF configuration (CFG_FILE/SOURCE): its tramlines cannot be matched',
    ]);
  });

  it('starts a new observing block when the configuration, plate or pointing changes', () => {
    const frames = buildNight({
      night: '2014-09-26',
      calibrations: ['bias'],
      fields: [
        { cfgFile: 'A_p0.sds', plate: 0, raDeg: 10, decDeg: -30, sequence: ['flat', 'object'] },
        { cfgFile: 'A_p0.sds', plate: 1, raDeg: 10, decDeg: -30, sequence: ['flat'] },
        { cfgFile: 'A_p0.sds', plate: 1, raDeg: 10.5, decDeg: -30, sequence: ['object'] },
        { cfgFile: 'A_p0.sds', plate: 1, raDeg: 12, decDeg: -30, sequence: ['object'] },
      ],
      arms: ['blue'],
    });
    const index = new FrameIndex(classifyFrames(frames).frames);
    expect([...index.all()].map((f) => `${f.frame.run}:${f.cls}:${f.cob}`)).toEqual(['1:BIAS:0', '2:MFFFF:1', '3:MFOBJECT:1', '4:MFFFF:2', '5:MFOBJECT:2', '6:MFOBJECT:3']);
  });
});
