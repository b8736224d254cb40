// A real single-node Slurm cluster for tests: installs Debian's packages when missing, then starts munged,
// slurmctld and slurmd under one mkdtemp folder with its own slurm.conf and ports, and stops and removes it all.
// Settings follow ../shared/docs/slurm-notes.md (checked on this kind of machine). With CI=true a cluster that
// cannot be installed or started fails the test; elsewhere too, with a line saying what is missing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, chmodSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGES = ['slurmctld', 'slurmd', 'slurm-client', 'munge'];
const PROGRAMS = ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/sbin/munged', '/usr/sbin/mungekey'];

export interface SlurmCluster {
  dir: string;
  /** SLURM_CONF of this cluster: pass it to sbatch, squeue... (the executor's slurmConf setting). */
  conf: string;
  partition: string;
  /** The job completion log (jobcomp/filetxt): `sacct -c` reads it. */
  jobCompLog: string;
  /** Environment for Slurm commands aimed at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client command against this cluster; resolves stdout. */
  cmd(program: string, args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function installed(): boolean {
  return PROGRAMS.every((p) => existsSync(p));
}

/** Installs the packages with apt-get (bounded by timeouts); throws saying why when it cannot. */
export async function ensureSlurmInstalled(): Promise<void> {
  if (installed()) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, timeout: 300000 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], { env, timeout: 600000 });
  } catch (err) {
    throw new Error(`these tests need Slurm (${PACKAGES.join(' ')}) and apt-get could not install it: ${(err as Error).message.slice(0, 400)}`);
  }
  if (!installed()) throw new Error(`apt-get ran but ${PROGRAMS.filter((p) => !existsSync(p)).join(', ')} is still missing`);
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

function slurmConf(o: { dir: string; name: string; host: string; node: string; ctldPort: number; slurmdPort: number; socket: string; cpus: number; memMb: number }): string {
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
StateSaveLocation=${o.dir}/state
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
export async function startSlurmCluster(): Promise<SlurmCluster> {
  await ensureSlurmInstalled();
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
  writeFileSync(conf, slurmConf({ dir, name: `drsoda${suffix}`, host: os.hostname().split('.')[0], node, ctldPort: await freePort(), slurmdPort: await freePort(), socket, cpus, memMb }));
  const env = { ...process.env, SLURM_CONF: conf };
  const procs: ChildProcess[] = [];
  const daemon = (cmd: string, args: string[]) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    p.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    p.on('error', () => {});
    procs.push(p);
    return () => err;
  };
  const logs = () =>
    ['slurmctld.log', 'slurmd.log', 'munged.log']
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
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, conf, partition: 'drsoda', jobCompLog: path.join(dir, 'log', 'jobcomp.log'), env, cmd, stop };
}
