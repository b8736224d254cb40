// The Slurm job script (executor/slurm/job-script.ts), run by bash here as a node would run it: it writes the
// exit status, enforces the step timeout to the second, and keeps containers offline with read-only inputs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobScript, shq } from '../../src/executor/slurm/job-script.js';

describe('the Slurm job script', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const jobDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'drsoda-jobscript-'));
    dirs.push(d);
    mkdirSync(path.join(d, 'work'));
    return d;
  };

  it('runs the command natively in work/ and writes its exit status as the marker', () => {
    const dir = jobDir();
    writeFileSync(path.join(dir, 'run.sh'), jobScript({ runtime: 'native', jobDir: dir, aaorun: ['sh', '-c'], args: ['echo "it\'s" > out.txt; exit 3'], inputs: [], timeoutS: 30 }));
    const r = spawnSync('bash', [path.join(dir, 'run.sh')], { env: { PATH: process.env.PATH, SLURM_JOB_ID: '7' } });
    expect(r.status).toBe(3);
    expect(readFileSync(path.join(dir, 'exit'), 'utf8')).toBe('3\n');
    expect(readFileSync(path.join(dir, 'work', 'out.txt'), 'utf8')).toBe("it's\n");
  });

  it('kills a command at the step timeout and marks it so', () => {
    const dir = jobDir();
    writeFileSync(path.join(dir, 'run.sh'), jobScript({ runtime: 'native', jobDir: dir, aaorun: ['sleep'], args: ['30'], inputs: [], timeoutS: 1 }));
    const t0 = Date.now();
    spawnSync('bash', [path.join(dir, 'run.sh')], { env: { PATH: process.env.PATH } });
    expect(Date.now() - t0).toBeLessThan(10000);
    expect(readFileSync(path.join(dir, 'exit'), 'utf8')).toBe('timeout\n');
  });

  it('gives containers no network, read-only inputs, limits, and a name to remove on TERM', () => {
    const s = jobScript({
      runtime: 'podman', jobDir: '/shared/slurm/ab/x', aaorun: ['aaorun'], args: ['reduce_arc', 'a.fits'], timeoutS: 60,
      inputs: [{ name: 'a.fits', hostPath: '/archive/a.fits' }], image: 'drsoda/aaorun:1', user: '10001:10001', cpus: 2, memoryBytes: 1 << 30,
    });
    for (const w of ["'--network' 'none'", "'--cap-drop' 'ALL'", "'--read-only'", "'-v' '/archive/a.fits:/in/a.fits:ro'", "'--memory' '1073741824'", "'--cpus' '2'"]) expect(s).toContain(w);
    // Rootless (a non-root job user) keeps that uid in the container; rootful takes CONTAINER_USER.
    expect(s).toContain(`if [ "$(id -u)" -eq 0 ]; then userargs=(--user '10001:10001'); else userargs=(--userns=keep-id --user "$(id -u):$(id -g)"); fi`);
    expect(s).toContain('"${userargs[@]}"');
    // Podman has no daemon: the removal runs in its own session so Slurm's SIGKILL after scancel cannot cut it short.
    expect(s).toMatch(/setsid -f bash -c '.*podman rm -f -t 0 "\$1"; podman container exists "\$1" \|\| exit 0.*' _ "\$cname"/);
    expect(s).toContain(`'podman' 'run' '--rm' '--name' "$cname"`);
    expect(s).toMatch(/trap 'cleanup; exit 143' TERM INT/);
    execFileSync('bash', ['-n'], { input: s });
  });

  it('quotes words for bash', () => {
    expect(execFileSync('bash', ['-c', `printf %s ${shq("a'b $c")}`]).toString()).toBe("a'b $c");
  });
});
