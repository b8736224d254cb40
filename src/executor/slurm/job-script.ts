// The batch script of one step: runs aaorun natively, in Docker or in Podman inside the Slurm job, enforces
// the step's timeout to the second, and writes the exit marker the runner waits for. Pure text, no I/O.
// With proctrack/linuxproc, scancel kills the job's shell but not a container (the docker client is
// re-parented), so the script names the container after the Slurm job and removes it on TERM/INT/EXIT
// (slurm-notes.md, "Containers inside batch jobs"). Podman run by a job of a non-root user is rootless: the
// container keeps that user's uid (--userns=keep-id, and --user over the image's USER), since CONTAINER_USER's uid would map to a subordinate id
// that cannot write the step folder; run by root, it takes CONTAINER_USER as Docker does. Podman has no daemon:
// `podman rm` is a process of the job that Slurm SIGKILLs KillWait seconds after scancel, and a removal cut short
// leaves the container running ("Stopping"). So the script starts the removal in its own session (Slurm does not
// kill it), retried until the container is gone, and runs the container with --rm, so conmon removes it when it
// ends whatever happens to the job.
import type { Logger } from '../../logger.js';
import type { SlurmCli } from './slurm-cli.js';


export type SlurmRuntime = 'native' | 'docker' | 'podman';

export interface JobScriptInput {
  runtime: SlurmRuntime;
  /** The step folder on the shared filesystem: work/ (cwd), exit marker. */
  jobDir: string;
  /** Native: the command words for aaorun on the node, e.g. ['aaorun']. Containers: the program in the image. */
  aaorun: string[];
  args: string[];
  /** Inputs by bare name -> host path (containers mount each read-only at /in/<name>). */
  inputs: { name: string; hostPath: string }[];
  timeoutS: number;
  /**
   * Files to wait for before running (a step handed to Slurm ahead with the DAG: its parents' products, which
   * drsoda commits right after the parent's job ends). Not there within timeoutS: exit marker `noinputs`.
   */
  waitFor?: string[];
  /** Containers only. */
  image?: string;
  user?: string;
  cpus?: number;
  memoryBytes?: number;
  labels?: Record<string, string>;
}

/**
 * Removes a podman container until it is gone (~30 s at most): a removal can lose a race with the `podman run`
 * client still creating the container, or time out on podman's lock under load. From `/`: drsoda removes the step
 * folder (the job's cwd) as soon as the job ends, and podman started in a deleted folder fails.
 */
const PODMAN_REMOVER = 'cd / && for i in $(seq 15); do podman rm -f -t 0 "$1"; podman container exists "$1" || exit 0; sleep 2; done';

/** Single-quotes a word for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function containerCommand(i: JobScriptInput, engine: 'docker' | 'podman'): string[] {
  const limits = [
    '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only',
    '--tmpfs', '/tmp:rw,nosuid,nodev,size=256m', '--pids-limit', '512',
    ...(i.memoryBytes ? ['--memory', String(i.memoryBytes), '--memory-swap', String(i.memoryBytes)] : []),
    ...(i.cpus ? ['--cpus', String(i.cpus)] : []),
  ];
  const labels = Object.entries(i.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const mounts = [`${i.jobDir}/work:/work:rw`, ...i.inputs.map((x) => `${x.hostPath}:/in/${x.name}:ro`)].flatMap((m) => ['-v', m]);
  const words = [
    engine, 'run', ...(engine === 'podman' ? ['--rm'] : []), '--name', '@CNAME@', ...labels, ...limits, ...(engine === 'podman' ? ['@USERARGS@'] : i.user ? ['--user', i.user] : []),
    '-w', '/work', '-e', 'HOME=/work', '-e', 'TMPDIR=/tmp', ...mounts, '--entrypoint', i.aaorun[0], i.image ?? '', ...i.aaorun.slice(1), ...i.args,
  ];
  return words;
}

function waitLines(i: JobScriptInput): string[] {
  if (!i.waitFor?.length) return [];
  const limit = Math.max(1, Math.ceil(i.timeoutS));
  return [
    'SECONDS=0',
    `for f in ${i.waitFor.map(shq).join(' ')}; do`,
    '  while [ ! -e "$f" ]; do',
    `    if [ "$SECONDS" -ge ${limit} ]; then printf 'noinputs\\n' > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"; exit 75; fi`,
    '    sleep 0.05',
    '  done',
    'done',
  ];
}

export function jobScript(i: JobScriptInput): string {
  const container = i.runtime !== 'native';
  const words = container ? containerCommand(i, i.runtime as 'docker' | 'podman') : [...i.aaorun, ...i.args];
  const command = words.map((w) => (w === '@CNAME@' ? '"$cname"' : w === '@USERARGS@' ? '"${userargs[@]}"' : shq(w))).join(' ');
  const lines = [
    '#!/bin/bash',
    `# drsoda step (${i.runtime}); the runner waits for ${i.jobDir}/exit`,
    'set -u',
    `dir=${shq(i.jobDir)}`,
    'cd "$dir/work" || exit 70',
    `cname="drsoda-slurm-\${SLURM_JOB_ID:-$$}"`,
    'child=',
    ...(i.runtime === 'podman' ? [`if [ "$(id -u)" -eq 0 ]; then userargs=(${i.user ? `--user ${shq(i.user)}` : ''}); else userargs=(--userns=keep-id --user "$(id -u):$(id -g)"); fi`] : []),
    i.runtime === 'podman'
      ? `cleanup() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; setsid -f bash -c ${shq(PODMAN_REMOVER)} _ "$cname" >/dev/null 2>&1 </dev/null; }`
      : container
      ? `cleanup() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; ${i.runtime} rm -f "$cname" >/dev/null 2>&1; }`
      : 'cleanup() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; }',
    "trap 'cleanup; exit 143' TERM INT",
    'trap cleanup EXIT',
    ...waitLines(i),
    'SECONDS=0',
    // The step's timeout, to the second (Slurm's --time is whole minutes and only a backstop).
    `timeout --kill-after=5 ${Math.max(1, Math.ceil(i.timeoutS))} ${command} &`,
    'child=$!',
    'wait "$child"',
    'rc=$?',
    'child=',
    // Rootless `podman run` re-executes itself inside its user namespace: `timeout` kills the outer process, the
    // inner one and the container live on. Nothing SIGKILLs the job here, so remove it before the marker says done.
    ...(i.runtime === 'podman' ? [`bash -c ${shq(PODMAN_REMOVER)} _ "$cname" >/dev/null 2>&1 </dev/null`] : []),
    `if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$SECONDS" -ge ${Math.max(1, Math.ceil(i.timeoutS))} ]; }; then result=timeout; else result=$rc; fi`,
    'printf \'%s\\n\' "$result" > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"',
    'exit "$rc"',
    '',
  ];
  return lines.join('\n');
}

/** How a step becomes a batch job: shared by the runner and the DAG hand-over (dag-submit.ts). */
export interface SlurmJobSettings {
  cli: SlurmCli;
  /** Step folders live here; it must be on the filesystem the compute nodes share. */
  jobRoot: string;
  runtime: SlurmRuntime;
  /** Native: aaorun's command words on the node. Containers: the program inside the image. */
  aaorun: string[];
  image: string;
  /** uid:gid inside containers. */
  user: string;
  cpus: number;
  memoryBytes: number;
  partition?: string;
  account?: string;
  qos?: string;
  log: Logger;
}
