// Products of done steps, stored once per step id (the planner's content hash) under DATA_DIR/products.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, lstat, readdir, link, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StepOutput } from '../store/step-store.js';

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** rename, or copy and unlink when the product store is another filesystem than the work dirs (EXDEV). */
async function moveFile(src: string, dst: string): Promise<void> {
  try {
    await rename(src, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(src, dst);
    await rm(src, { force: true });
  }
}

export class ProductStore {
  constructor(readonly root: string) {}

  dir(stepId: string): string {
    if (!/^[0-9a-f]{8,64}$/.test(stepId)) throw new Error(`invalid step id ${stepId}`);
    return path.join(this.root, stepId.slice(0, 2), stepId);
  }

  file(stepId: string, fileName: string): string {
    if (fileName !== path.basename(fileName) || fileName.startsWith('.')) throw new Error(`invalid product file name ${fileName}`);
    return path.join(this.dir(stepId), fileName);
  }

  /**
   * Moves the named outputs from a work dir into the store (atomically: staged, then renamed) and
   * returns their sizes and checksums. Throws when an expected output is missing.
   */
  async commit(stepId: string, workDir: string, outputs: string[], products: string[]): Promise<StepOutput[]> {
    const staging = path.join(this.root, '.staging', `${stepId}-${randomBytes(4).toString('hex')}`);
    await mkdir(staging, { recursive: true });
    try {
      const result: StepOutput[] = [];
      for (const name of outputs) {
        const src = path.join(workDir, name);
        // lstat: a symlink written by a step (to /etc/shadow, say) must never become a product others download.
        const st = await lstat(src).catch(() => null);
        if (st?.isSymbolicLink()) throw new Error(`output ${name} is a symbolic link, not a file`);
        if (!st?.isFile()) throw new Error(`expected output ${name} was not written`);
        const dst = path.join(staging, name);
        await moveFile(src, dst);
        result.push({ fileName: name, size: st.size, sha256: await sha256File(dst), product: products.includes(name) });
      }
      const final = this.dir(stepId);
      await mkdir(path.dirname(final), { recursive: true });
      await rm(final, { recursive: true, force: true });
      await rename(staging, final);
      return result;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** True when every recorded output is present with its recorded size (checksums with deep). */
  async verify(stepId: string, outputs: StepOutput[], deep = false): Promise<boolean> {
    if (!outputs.length) return false;
    for (const o of outputs) {
      const st = await stat(this.file(stepId, o.fileName)).catch(() => null);
      if (!st || st.size !== o.size) return false;
      if (deep && (await sha256File(this.file(stepId, o.fileName))) !== o.sha256) return false;
    }
    return true;
  }

  /** Publishes a product into a job's folder as a hard link (a copy across filesystems), so a result outlives cache eviction. */
  async publish(stepId: string, fileName: string, dest: string): Promise<void> {
    await mkdir(path.dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    await link(this.file(stepId, fileName), dest).catch(() => copyFile(this.file(stepId, fileName), dest));
  }

  async remove(stepId: string): Promise<void> {
    await rm(this.dir(stepId), { recursive: true, force: true });
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const prefix of await readdir(this.root).catch(() => [] as string[])) {
      if (prefix.startsWith('.')) continue;
      for (const id of await readdir(path.join(this.root, prefix)).catch(() => [] as string[])) out.push(id);
    }
    return out;
  }
}
