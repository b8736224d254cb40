// Small local images for Docker tests, built without a registry from Debian's static busybox.
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, mkdirSync, mkdtempSync, symlinkSync, copyFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';

export const BUSYBOX_IMAGE = 'drsoda-test/busybox:1';
const applets = ['sh', 'sleep', 'cat', 'echo', 'ls', 'touch', 'dd', 'wc', 'id', 'nc', 'wget', 'head', 'yes', 'tr', 'setsid', 'true', 'false', 'kill', 'ps', 'env', 'mkdir', 'rm'];

/** Builds (once per daemon) a FROM-scratch image holding /bin/busybox and its applet links. */
export async function ensureBusyboxImage(docker: Docker): Promise<string> {
  const found = await docker.listImages({ filters: JSON.stringify({ reference: [BUSYBOX_IMAGE] }) });
  if (found.length) return BUSYBOX_IMAGE;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox not found: apt-get install busybox-static (.ci/run does)');
  const ctx = mkdtempSync(path.join(os.tmpdir(), 'drsoda-img-'));
  mkdirSync(path.join(ctx, 'rootfs/bin'), { recursive: true });
  mkdirSync(path.join(ctx, 'rootfs/work'), { recursive: true });
  copyFileSync(busybox, path.join(ctx, 'rootfs/bin/busybox'));
  for (const a of applets) symlinkSync('busybox', path.join(ctx, 'rootfs/bin', a));
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nUSER 10001:10001\n');
  const tar = path.join(ctx, 'context.tar');
  execFileSync('tar', ['-cf', tar, '-C', ctx, 'Dockerfile', 'rootfs']);
  const stream = await docker.buildImage(createReadStream(tar) as unknown as NodeJS.ReadableStream, { t: BUSYBOX_IMAGE });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
      const failed = out?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
  return BUSYBOX_IMAGE;
}

export const FAKE_AAORUN_IMAGE = 'drsoda-test/fake-aaorun:1';

/** busybox plus the orchestration tests' fake aaorun at /bin/aaorun (same argv contract as the real one). */
export async function ensureFakeAaorunImage(docker: Docker): Promise<string> {
  const found = await docker.listImages({ filters: JSON.stringify({ reference: [FAKE_AAORUN_IMAGE] }) });
  if (found.length) return FAKE_AAORUN_IMAGE;
  await ensureBusyboxImage(docker);
  const ctx = mkdtempSync(path.join(os.tmpdir(), 'drsoda-img-'));
  copyFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/fake-aaorun.sh'), path.join(ctx, 'aaorun'));
  chmodSync(path.join(ctx, 'aaorun'), 0o755); // the classic builder keeps the mode (no BuildKit --chmod here)
  writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY aaorun /bin/aaorun\n`);
  const tar = path.join(ctx, 'context.tar');
  execFileSync('tar', ['-cf', tar, '-C', ctx, 'Dockerfile', 'aaorun']);
  const stream = await docker.buildImage(createReadStream(tar) as unknown as NodeJS.ReadableStream, { t: FAKE_AAORUN_IMAGE });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
      const failed = out?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
  return FAKE_AAORUN_IMAGE;
}
