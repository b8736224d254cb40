// A real single-node Slurm cluster for tests: installs Debian's packages when missing, then starts munged,
// slurmctld and slurmd under one mkdtemp folder with its own slurm.conf and ports, and stops and removes it all.
// Settings follow ../shared/docs/slurm-notes.md (checked on this kind of machine). With CI=true a cluster that
// cannot be installed or started fails the test; elsewhere too, with a line saying what is missing.
// startSlurmCluster({ rest: true }) also starts slurmrestd (JWT over TCP on loopback) and mints a token for it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, chmodSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGES = ['slurmctld', 'slurmd', 'slurm-client', 'munge'];
const PROGRAMS = ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/sbin/munged', '/usr/sbin/mungekey'];
/** slurmrestd and the auth/jwt plugin it and slurmctld need (slurm-notes.md, "slurmrestd"). */
const REST_PACKAGES = ['slurmrestd', 'slurm-wlm-jwt-plugin'];
const REST_PROGRAMS = ['/usr/sbin/slurmrestd', '/usr/lib/x86_64-linux-gnu/slurm-wlm/auth_jwt.so'];

export interface SlurmRest {
  /** SLURMRESTD_URL of this cluster, e.g. http://127.0.0.1:PORT */
  url: string;
  /** A JWT for `user` (scontrol token), valid for the cluster's lifetime. */
  token: string;
  user: string;
  /** Mints another token (e.g. for a different user). */
  tokenFor(user: string, lifespanS?: number): Promise<string>;
}

export interface SlurmCluster {
  dir: string;
  /** SLURM_CONF of this cluster: pass it to sbatch, squeue... (the executor's slurmConf setting). */
  conf: string;
  partition: string;
  /** The job completion log (jobcomp/filetxt): `sacct -c` reads it. */
  jobCompLog: string;
  /** Environment for Slurm commands aimed at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Set when started with { rest: true }. */
  rest?: SlurmRest;
  /** Runs a Slurm client command against this cluster; resolves stdout. */
  cmd(program: string, args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Installs the packages with apt-get (bounded by timeouts); throws saying why when it cannot. */
export async function ensureSlurmInstalled(rest = false): Promise<void> {
  const programs = rest ? [...PROGRAMS, ...REST_PROGRAMS] : PROGRAMS;
  const packages = rest ? [...PACKAGES, ...REST_PACKAGES] : PACKAGES;
  if (programs.every((p) => existsSync(p))) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, timeout: 300000 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeout: 600000 });
  } catch (err) {
    throw new Error(`these tests need Slurm (${packages.join(' ')}) and apt-get could not install it: ${(err as Error).message.slice(0, 400)}`);
  }
  const missing = programs.filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`apt-get ran but ${missing.join(', ')} is still missing`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

function slurmConf(o: { dir: string; name: string; host: string; node: string; ctldPort: number; slurmdPort: number; socket: string; cpus: number; memMb: number; jwtKey?: string }): string {
  return `# drsoda test cluster (test/support/slurm.ts)
ClusterName=${o.name}
SlurmctldHost=${o.host}(127.0.0.1)
MailProg=/bin/true
SlurmctldPort=${o.ctldPort}
SlurmdPort=${o.slurmdPort}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${o.socket}
${o.jwtKey ? `AuthAltTypes=auth/jwt\nAuthAltParameters=jwt_key=${o.jwtKey}\n` : ''}StateSaveLocation=${o.dir}/state
SlurmdSpoolDir=${o.dir}/spool/slurmd-%n
SlurmctldPidFile=${o.dir}/run/slurmctld.pid
SlurmdPidFile=${o.dir}/run/slurmd-%n.pid
SlurmctldLogFile=${o.dir}/log/slurmctld.log
SlurmdLogFile=${o.dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
DependencyParameters=kill_invalid_depend
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${o.dir}/log/jobcomp.log
MinJobAge=600
KillWait=5
ReturnToService=2
MpiDefault=none
NodeName=${o.node} NodeAddr=127.0.0.1 Port=${o.slurmdPort} CPUs=${o.cpus} RealMemory=${o.memMb} State=UNKNOWN
PartitionName=drsoda Nodes=${o.node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
`;
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>, logs: () => string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Slurm test cluster: ${what} not ready after ${ms} ms\n${logs()}`);
}

/** Starts a cluster in a new temp folder; stop() ends its daemons and removes the folder. */
export async function startSlurmCluster(o: { rest?: boolean } = {}): Promise<SlurmCluster> {
  await ensureSlurmInstalled(o.rest);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-'));
  chmodSync(dir, 0o755);
  for (const d of ['state', 'spool', 'run', 'log', 'munge']) mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
  chmodSync(path.join(dir, 'munge'), 0o755); // munged refuses a socket folder that others cannot enter
  const suffix = path.basename(dir).slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
  const node = `drs${suffix}`;
  const socket = path.join(dir, 'munge', 'munge.socket');
  const conf = path.join(dir, 'slurm.conf');
  const cpus = Math.max(1, os.cpus().length);
  const memMb = Math.max(1024, Math.floor((os.totalmem() / 2 ** 20) * 0.8));
  // auth/jwt must be in slurm.conf when slurmctld starts (a reconfigure is not enough); the key stays root's.
  const jwtKey = o.rest ? path.join(dir, 'state', 'jwt.key') : undefined;
  if (jwtKey) writeFileSync(jwtKey, randomBytes(32), { mode: 0o600 });
  writeFileSync(conf, slurmConf({ dir, name: `drsoda${suffix}`, host: os.hostname().split('.')[0], node, ctldPort: await freePort(), slurmdPort: await freePort(), socket, cpus, memMb, jwtKey }));
  const env = { ...process.env, SLURM_CONF: conf };
  const procs: ChildProcess[] = [];
  const daemon = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const p = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    p.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    p.on('error', () => {});
    procs.push(p);
    return () => err;
  };
  const logs = () =>
    ['slurmctld.log', 'slurmd.log', 'munged.log', 'slurmrestd.log']
      .map((f) => path.join(dir, 'log', f))
      .filter((f) => existsSync(f))
      .map((f) => `--- ${path.basename(f)}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n');
  const cmd = async (program: string, args: string[]) => (await run(program, args, { env, timeout: 20000 })).stdout;
  const stop = async () => {
    await run('scancel', ['--full', '--partition=drsoda'], { env, timeout: 10000 }).catch(() => {});
    for (const p of [...procs].reverse()) {
      if (p.exitCode !== null || p.signalCode !== null || !p.pid) continue;
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {
        continue;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-p.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const key = path.join(dir, 'munge', 'munge.key');
    await run('/usr/sbin/mungekey', ['-c', '-k', key], { timeout: 10000 });
    chmodSync(key, 0o400);
    daemon('/usr/sbin/munged', ['-F', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${dir}/munge/munged.pid`, `--seed-file=${dir}/munge/munged.seed`, `--log-file=${dir}/log/munged.log`]);
    await waitFor('munged', 10000, async () => existsSync(socket), logs);
    daemon('/usr/sbin/slurmctld', ['-D', '-i', '-f', conf]);
    daemon('/usr/sbin/slurmd', ['-D', '-N', node, '-f', conf]);
    await waitFor('node idle', 30000, async () => /idle/.test(await cmd('sinfo', ['-h', '-N', '-o', '%T'])), logs);
    const rest = o.rest ? await startRest(dir, env, cmd, daemon, logs) : undefined;
    return { dir, conf, partition: 'drsoda', jobCompLog: path.join(dir, 'log', 'jobcomp.log'), env, rest, cmd, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * slurmrestd on a loopback port with rest_auth/jwt: it refuses to run as root, so it drops to nobody after
 * binding; SLURM_JWT=daemon makes it forward each request's X-SLURM-USER-TOKEN to slurmctld.
 */
async function startRest(dir: string, env: NodeJS.ProcessEnv, cmd: (p: string, a: string[]) => Promise<string>, daemon: (c: string, a: string[], e?: NodeJS.ProcessEnv) => () => string, logs: () => string): Promise<SlurmRest> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stderr = daemon('/usr/sbin/slurmrestd', ['-f', env.SLURM_CONF!, '-a', 'rest_auth/jwt', '-s', 'openapi/v0.0.38,openapi/v0.0.37', '-u', 'nobody', `127.0.0.1:${port}`], { SLURM_JWT: 'daemon' });
  const tokenFor = async (user: string, lifespanS = 4 * 3600) => {
    const out = await cmd('scontrol', ['token', `username=${user}`, `lifespan=${lifespanS}`]);
    const token = /SLURM_JWT=(\S+)/.exec(out)?.[1];
    if (!token) throw new Error(`scontrol token printed no token: ${out.slice(0, 200)}`);
    return token;
  };
  const token = await tokenFor('root');
  await waitFor('slurmrestd', 20000, async () => {
    const r = await fetch(`${url}/slurm/v0.0.38/ping`, { headers: { 'X-SLURM-USER-NAME': 'root', 'X-SLURM-USER-TOKEN': token }, signal: AbortSignal.timeout(2000) });
    return r.ok;
  }, () => `${logs()}\n--- slurmrestd stderr\n${stderr()}`);
  return { url, token, user: 'root', tokenFor };
}
