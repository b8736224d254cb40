// One warm sandbox per job (never shared between jobs or owners), an optional pre-started spare, and reaping.
import path from 'node:path';
import type { ContainerClient } from '../container-client.js';
import type { ContainerLimits } from '../container-spec.js';
import { Sandbox, type ReadOnlyRoot } from './sandbox.js';

export interface SandboxPoolOptions {
  containers: ContainerClient;
  image: string;
  limits: ContainerLimits;
  user: string;
  baseDir: string;
  roots: ReadOnlyRoot[];
  workerId: string;
  xvfb?: boolean;
  /** A sandbox idle this long is removed even if its job goes on. */
  idleMs: number;
  /** Keep one started sandbox ready so a new job's first step waits for none. */
  prestart: boolean;
}

export class SandboxPool {
  private byJob = new Map<string, Promise<Sandbox>>();
  private spare?: Promise<Sandbox>;
  private retired = new Set<Sandbox>();
  private timer: NodeJS.Timeout;
  private closed = false;

  constructor(private o: SandboxPoolOptions) {
    this.timer = setInterval(() => void this.reapIdle(), Math.max(1000, Math.min(o.idleMs, 30000)));
    this.timer.unref();
    if (o.prestart) this.refillSpare();
  }

  private create(jobId?: string, owner?: string): Promise<Sandbox> {
    const sb = new Sandbox({
      containers: this.o.containers,
      image: this.o.image,
      limits: this.o.limits,
      user: this.o.user,
      // The pid in the name lets the start-up reaper find folders of dead workers.
      dir: path.join(this.o.baseDir, `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`),
      roots: this.o.roots,
      labels: { workerId: this.o.workerId, jobId, owner },
      xvfb: this.o.xvfb,
    });
    return sb.start().then(() => sb);
  }

  private refillSpare(): void {
    if (this.closed || this.spare) return;
    const p = this.create();
    p.catch(() => {
      if (this.spare === p) this.spare = undefined;
    });
    this.spare = p;
  }

  /** The job's sandbox, replacing a tainted or dead one (which is removed once its running steps end). */
  async acquire(jobId: string, owner?: string): Promise<Sandbox> {
    if (this.closed) throw new Error('sandbox pool is closed');
    const current = this.byJob.get(jobId);
    if (current) {
      const sb = await current.catch(() => undefined);
      if (sb && !sb.tainted && !sb.dead) return sb;
      if (sb) this.retire(sb);
      if (this.byJob.get(jobId) === current) this.byJob.delete(jobId);
      else return this.acquire(jobId, owner);
    }
    let next: Promise<Sandbox>;
    if (this.spare) {
      const spare = this.spare;
      this.spare = undefined;
      next = spare.catch(() => this.create(jobId, owner));
      this.refillSpare();
    } else {
      next = this.create(jobId, owner);
      if (this.o.prestart) this.refillSpare();
    }
    this.byJob.set(jobId, next);
    next.catch(() => {
      if (this.byJob.get(jobId) === next) this.byJob.delete(jobId);
    });
    return next;
  }

  private retire(sb: Sandbox): void {
    this.retired.add(sb);
    void this.reapRetired();
  }

  private async reapRetired(): Promise<void> {
    for (const sb of this.retired) {
      if (sb.running === 0) {
        this.retired.delete(sb);
        await sb.destroy();
      }
    }
  }

  /** Removes the job's sandbox (job finished, failed or aborted). */
  async endJob(jobId: string): Promise<void> {
    const p = this.byJob.get(jobId);
    this.byJob.delete(jobId);
    const sb = await p?.catch(() => undefined);
    if (sb) await sb.destroy();
  }

  private async reapIdle(): Promise<void> {
    await this.reapRetired();
    const now = Date.now();
    for (const [jobId, p] of this.byJob) {
      const sb = await p.catch(() => undefined);
      if (sb && sb.running === 0 && now - sb.lastUsed > this.o.idleMs) {
        if (this.byJob.get(jobId) === p) this.byJob.delete(jobId);
        await sb.destroy();
      }
    }
  }

  /** Live sandboxes by job, for metrics and tests. */
  jobs(): string[] {
    return [...this.byJob.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const all = [...this.byJob.values(), ...(this.spare ? [this.spare] : [])];
    this.byJob.clear();
    this.spare = undefined;
    await Promise.all(all.map((p) => p.then((sb) => sb.destroy(), () => {})));
    await Promise.all([...this.retired].map((sb) => sb.destroy()));
    this.retired.clear();
  }
}
