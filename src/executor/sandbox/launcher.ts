// The launcher that runs inside a warm sandbox. POSIX sh only (busybox ash, dash, bash), because a real
// 2dFdr image may have nothing else. Requests arrive on a FIFO, events leave on another: no docker exec
// per step, so a step costs a fork instead of a container start.

/**
 * Protocol, one line per message (FIFO writes under PIPE_BUF are atomic):
 *   host -> launcher (ctl/requests): `run <id>` runs ctl/<id>.cmd in /steps/<id>; `kill <id>` kills its process group.
 *   launcher -> host (ctl/events):   `ready <pid>` once; `done <id> <exit status> <stray 0|1>` per step.
 * A step runs under setsid, so its pid is its process group id; processes left in that group after the
 * step's main process exits are "stray" and taint the sandbox.
 */
export const LAUNCHER_SH = `#!/bin/sh
CTL=/ctl
exec 3<>"$CTL/requests"
exec 4<>"$CTL/events"
if [ -n "$DRSODA_XVFB" ]; then
  Xvfb "$DISPLAY" -nolisten tcp >/dev/null 2>&1 &
fi
echo "ready $$" >&4
while read -r verb id <&3; do
  case "$id" in *[!A-Za-z0-9_.-]*|'') continue ;; esac
  case "$verb" in
    run)
      (
        setsid sh "$CTL/$id.cmd" >"$CTL/$id.out" 2>"$CTL/$id.err" </dev/null &
        pid=$!
        echo "$pid" >"$CTL/$id.pid"
        wait "$pid"
        rc=$?
        stray=0
        kill -0 -"$pid" 2>/dev/null && stray=1
        echo "done $id $rc $stray" >&4
      ) &
      ;;
    kill)
      [ -f "$CTL/$id.pid" ] && kill -9 -"$(cat "$CTL/$id.pid")" 2>/dev/null
      ;;
  esac
done
`;

/** Quotes one argument for POSIX sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The per-step script: its own cwd, HOME, TMPDIR and IMP_SCRATCH, then exec of the argv. */
export function stepScript(stepDir: string, argv: string[], env: Record<string, string>): string {
  const base: Record<string, string> = { HOME: stepDir, TMPDIR: `${stepDir}/.tmp`, IMP_SCRATCH: `${stepDir}/.imp_scratch` };
  const all = { ...base, ...env };
  const exports = Object.entries(all)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${shQuote(v)}`)
    .join('\n');
  return `cd ${shQuote(stepDir)} || exit 126\n${exports}\nmkdir -p "$TMPDIR" "$IMP_SCRATCH"\nexec ${argv.map(shQuote).join(' ')}\n`;
}
