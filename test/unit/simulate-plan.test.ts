import { planNight, resolveOptions, SimulateOptionsError } from '../../src/simulate/index.js';

describe('simulator options and night plan', () => {
  it('fills in defaults', () => {
    const o = resolveOptions({ outDir: '/tmp/x', night: '2014-09-26' });
    expect(o).toMatchObject({ fields: 2, objects: 3, size: 'full', seed: 1, biases: 5, darks: 3, lflats: 3, objectExposureS: 1200 });
  });

  it.each([
    [{ night: '2014-09-31' }, /night must be a date/],
    [{ night: '26/09/2014' }, /night must be a date/],
    [{ night: '1999-01-01' }, /between 2006/],
    [{ fields: -1 }, /fields must be an integer/],
    [{ fields: 1.5 }, /fields must be an integer/],
    [{ objects: NaN }, /objects must be an integer/],
    [{ seed: -3 }, /seed must be an integer/],
    [{ size: 'huge' }, /size must be full or small/],
    [{ outDir: '' }, /output directory/],
  ])('refuses %j', (bad, message) => {
    const call = () => resolveOptions({ outDir: '/tmp/x', night: '2014-09-26', ...(bad as object) });
    expect(call).toThrow(SimulateOptionsError);
    expect(call).toThrow(message);
  });

  it('orders biases, darks, long-slit flats, then per field a fibre flat, an arc and the objects, on a rising UT timeline', () => {
    const plan = planNight(resolveOptions({ outDir: '/tmp/x', night: '2014-09-26', fields: 3, objects: 2, biases: 2, darks: 1, lflats: 1 }));
    expect(plan.map((e) => `${e.ndfClass}${e.field ?? ''}`)).toEqual([
      'BIAS', 'BIAS', 'DARK', 'LFLAT',
      'MFFFF0', 'MFARC0', 'MFOBJECT0', 'MFOBJECT0',
      'MFFFF1', 'MFARC1', 'MFOBJECT1', 'MFOBJECT1',
      'MFFFF2', 'MFARC2', 'MFOBJECT2', 'MFOBJECT2',
    ]);
    expect(plan.map((e) => e.run)).toEqual(plan.map((_, i) => i + 1));
    for (let i = 1; i < plan.length; i++) {
      // Each exposure starts after the previous one ended plus a readout.
      expect(plan[i].utStartS).toBeGreaterThanOrEqual(plan[i - 1].utStartS + plan[i - 1].exposedS + 90);
    }
    expect(plan[0].utStartS).toBe(5.5 * 3600);
    expect(plan.find((e) => e.ndfClass === 'MFFFF')!.utStartS).toBeGreaterThanOrEqual(8 * 3600 + 40 * 60);
    expect(plan.filter((e) => e.ndfClass === 'BIAS').every((e) => e.exposedS === 0)).toBe(true);
    expect(plan.filter((e) => e.ndfClass === 'DARK').every((e) => e.exposedS === 1200)).toBe(true);
  });

  it('refuses a plan that runs past dawn', () => {
    expect(() => planNight(resolveOptions({ outDir: '/tmp/x', night: '2014-09-26', fields: 12, objects: 3 }))).toThrow(/do not fit in one night/);
    expect(planNight(resolveOptions({ outDir: '/tmp/x', night: '2014-09-26', fields: 8, objects: 3 })).length).toBe(11 + 8 * 5);
  });
});
