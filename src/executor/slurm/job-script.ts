// The batch script of one step: runs aaorun natively, in Docker or in Podman inside the Slurm job, enforces
// the step's timeout to the second, and writes the exit marker the runner waits for. Pure text, no I/O.
// With proctrack/linuxproc, scancel kills the job's shell but not a container (the docker client is
// re-parented), so the script names the container after the Slurm job and removes it on TERM/INT/EXIT
// (slurm-notes.md, "Containers inside batch jobs").

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
    engine, 'run', '--name', '@CNAME@', ...labels, ...limits, ...(i.user ? ['--user', i.user] : []),
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
  const command = words.map((w) => (w === '@CNAME@' ? '"$cname"' : shq(w))).join(' ');
  const lines = [
    '#!/bin/bash',
    `# drsoda step (${i.runtime}); the runner waits for ${i.jobDir}/exit`,
    'set -u',
    `dir=${shq(i.jobDir)}`,
    'cd "$dir/work" || exit 70',
    `cname="drsoda-slurm-\${SLURM_JOB_ID:-$$}"`,
    'child=',
    container
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
    `if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$SECONDS" -ge ${Math.max(1, Math.ceil(i.timeoutS))} ]; }; then result=timeout; else result=$rc; fi`,
    'printf \'%s\\n\' "$result" > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"',
    'exit "$rc"',
    '',
  ];
  return lines.join('\n');
}
