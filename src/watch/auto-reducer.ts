// The rules engine: after each ingest (and periodically, for time-based conditions) it looks at the exposures
// and fields the watcher ingested and makes the auto jobs that have become due (docs/quick-turnaround.md):
// - an object exposure as soon as both arms are in and its own observing block has the calibrations it needs
//   (the plan succeeds with no fallback to another block's flat, arc or sky), or once calibrationWaitS passed;
// - a field once it is finished: a fibre frame of another configuration was taken later that night (the
//   telescope moved on), or no new object exposure of it landed for quietS.
// A subject that is not due is looked at again when its night gets a new frame or its deadline passes.
import { formatFieldDid } from '../archive/dids.js';
import type { PipelineIdentity, Plan } from '../domain/plan.js';
import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { committedPresets } from '../soda/parameters.js';
import { planSoda } from '../soda/plan-request.js';
import { parseSodaRequest } from '../soda/request.js';
import { abandonSubject, claimedSubjects, pendingObjectFrames, watchedFields, type PendingObjectFrame } from '../store/watch-store.js';
import { createAutoJob, type AutoJobDeps } from './auto-jobs.js';
import { jobParameters, readersOf, ruleFor, type AutoRule, type AutoRules } from './rules.js';

/** Plan warnings meaning a calibration came from outside the exposure's own observing block. */
const fallbackCodes = new Set(['FLAT_FALLBACK', 'ARC_FALLBACK', 'SKY_FALLBACK']);

export interface AutoReducerDeps extends AutoJobDeps {
  root: string;
  /** The engine's pipeline: plans are made as the job will make them. */
  pipeline: PipelineIdentity;
  authority: string;
  rules: AutoRules;
  /** Re-plan a subject that failed to plan at most this often when nothing new lands (ms). */
  retryMs: number;
  log: Logger;
  now?: () => number;
}

export interface EvaluateReport {
  created: string[];
  waiting: Array<{ subject: string; reason: string }>;
}

interface Attempt {
  gen: number;
  retryAt: number;
  reason: string;
}

const armsOf = (rule: AutoRule) => (rule.params.ARMS ?? 'both').toLowerCase();
const ccdsOf = (rule: AutoRule): Array<1 | 2> => (armsOf(rule) === 'both' ? [1, 2] : armsOf(rule) === 'red' ? [2] : [1]);

export function createAutoReducer(d: AutoReducerDeps) {
  const now = d.now ?? Date.now;
  const attempts = new Map<string, Attempt>();
  const generations = new Map<string, number>();
  const maxGiveUpMs = Math.max(60_000, ...d.rules.rules.map((r) => r.giveUpS * 1000));
  const gen = (night: string) => generations.get(night) ?? 0;

  const due = (key: string, night: string, t: number) => {
    const a = attempts.get(key);
    return !a || a.gen !== gen(night) || t >= a.retryAt;
  };
  const wait = (report: EvaluateReport, key: string, night: string, retryAt: number, reason: string) => {
    attempts.set(key, { gen: gen(night), retryAt, reason });
    report.waiting.push({ subject: key, reason });
  };

  async function tryPlan(rule: AutoRule, id: string): Promise<{ plan: Plan } | { notReady: string }> {
    const params = jobParameters(rule, id).filter((p) => p.name !== 'PRIORITY');
    try {
      const s = await planSoda({ db: d.pool, authority: d.authority, presets: committedPresets, archiveRoot: d.root, pipeline: d.pipeline }, parseSodaRequest(params, 'async'));
      return s.plan ? { plan: s.plan } : { notReady: 'nothing to reduce' };
    } catch (err) {
      if (err instanceof ServiceError && err.label === 'UsageError') return { notReady: err.message };
      throw err;
    }
  }

  async function create(report: EvaluateReport, key: string, night: string, rule: AutoRule, kind: 'frame' | 'field', subject: string, id: string, plan: Plan, programmes: Array<string | null>) {
    const frameIds = [...new Set(plan.targets.flatMap((t) => t.frameIds))];
    const out = await createAutoJob(d, { rule, kind, subject, night, id, frameIds, readers: readersOf(d.rules, rule, programmes) });
    if ('failed' in out) wait(report, key, night, now() + d.retryMs, out.failed);
    else {
      attempts.delete(key);
      if ('created' in out) report.created.push(out.created.id);
    }
  }

  async function giveUp(key: string, rule: AutoRule, kind: 'frame' | 'field', subject: string, night: string) {
    const reason = attempts.get(key)?.reason ?? 'not reducible';
    await abandonSubject(d.pool, { rule: rule.name, kind, subject, night, priority: rule.priority }, reason);
    attempts.delete(key);
    d.log.warn({ rule: rule.name, kind, subject, reason }, 'auto reduction abandoned');
  }

  async function exposures(report: EvaluateReport, t: number) {
    const byExposure = new Map<string, PendingObjectFrame[]>();
    for (const f of await pendingObjectFrames(d.pool, d.root, new Date(t - maxGiveUpMs))) {
      const subject = `${f.night}/${f.run}`;
      byExposure.set(subject, [...(byExposure.get(subject) ?? []), f]);
    }
    for (const [subject, frames] of byExposure) {
      const f0 = frames[0];
      const key = `frame:${subject}`;
      const rule = ruleFor(d.rules, 'frame', { programme: f0.programme, field: f0.field, object: f0.object });
      if (!rule || !due(key, f0.night, t)) continue;
      const landed = Math.min(...frames.map((f) => f.landedAt.getTime()));
      if (t - landed > rule.giveUpS * 1000) {
        await giveUp(key, rule, 'frame', subject, f0.night);
        continue;
      }
      const ccds = ccdsOf(rule);
      const present = frames.filter((f) => ccds.includes(f.ccd)).sort((a, b) => a.ccd - b.ccd);
      if (!present.length) continue;
      if (present.length < ccds.length && t - landed < rule.armWaitS * 1000) {
        wait(report, key, f0.night, landed + rule.armWaitS * 1000, 'waiting for the other arm');
        continue;
      }
      const p = await tryPlan(rule, present[0].frameId);
      if ('notReady' in p) {
        wait(report, key, f0.night, t + d.retryMs, p.notReady);
        continue;
      }
      const fallbacks = p.plan.warnings.filter((w) => fallbackCodes.has(w.code));
      if (fallbacks.length && t - landed < rule.calibrationWaitS * 1000) {
        wait(report, key, f0.night, landed + rule.calibrationWaitS * 1000, `waiting for calibrations of its own observing block (${fallbacks.map((w) => w.code).join(', ')})`);
        continue;
      }
      await create(report, key, f0.night, rule, 'frame', subject, present[0].frameId, p.plan, frames.map((f) => f.programme));
    }
  }

  async function fields(report: EvaluateReport, t: number) {
    const candidates = (await watchedFields(d.pool, d.root, new Date(t - maxGiveUpMs)))
      .map((f) => ({ f, subject: `${f.night}/${f.field}#${f.exposures}`, rule: ruleFor(d.rules, 'field', { programme: f.programmes[0] ?? null, field: f.field, object: f.object }) }))
      .filter((c) => c.rule && c.f.exposures >= c.rule.minExposures);
    if (!candidates.length) return;
    const claimed = await claimedSubjects(d.pool, 'field', candidates.map((c) => c.subject));
    for (const { f, subject, rule } of candidates) {
      const key = `field:${subject}`;
      if (!rule || claimed.has(subject) || !due(key, f.night, t)) continue;
      const last = f.lastLandedAt.getTime();
      if (t - last > rule.giveUpS * 1000) {
        await giveUp(key, rule, 'field', subject, f.night);
        continue;
      }
      if (!f.nextFieldStarted && t - last < rule.quietS * 1000) {
        wait(report, key, f.night, last + rule.quietS * 1000, 'waiting for the field to finish (another field starts, or the quiet period passes)');
        continue;
      }
      if (armsOf(rule) === 'both' && f.oneArmExposures > 0 && t - last < rule.armWaitS * 1000) {
        wait(report, key, f.night, last + rule.armWaitS * 1000, 'waiting for the other arm of its last exposure');
        continue;
      }
      const id = formatFieldDid(d.authority, { night: f.night, cfg: f.field });
      const p = await tryPlan(rule, id);
      if ('notReady' in p) {
        wait(report, key, f.night, t + d.retryMs, p.notReady);
        continue;
      }
      await create(report, key, f.night, rule, 'field', subject, id, p.plan, f.programmes);
    }
  }

  return {
    /** A frame of this night was ingested: its waiting subjects are looked at again on the next evaluation. */
    noteIngested(night: string): void {
      generations.set(night, gen(night) + 1);
    },
    /** Makes every auto job that is due; exposures first (quick look), then finished fields. */
    async evaluate(): Promise<EvaluateReport> {
      const report: EvaluateReport = { created: [], waiting: [] };
      const t = now();
      await exposures(report, t);
      await fields(report, t);
      return report;
    },
    /** Subjects waiting, with why (for the log and `drsoda watch` status lines). */
    waiting(): Array<{ subject: string; reason: string }> {
      return [...attempts.entries()].map(([subject, a]) => ({ subject, reason: a.reason }));
    },
  };
}

export type AutoReducer = ReturnType<typeof createAutoReducer>;
