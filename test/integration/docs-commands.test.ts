// Runs the `sh` and `python` blocks of the operator and API guides, verbatim and in order, against a real
// `drsoda serve` started as `npm start` starts it (default settings, the demo archive) - only the port differs:
// http://localhost:8080 in the docs becomes the test server's address.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, projectRoot, spawnDrsoda, waitForLine } from '../support/process.js';

interface Block {
  doc: string;
  lang: 'sh' | 'python';
  code: string;
  line: number;
}

/** The runnable blocks of a markdown file: fenced ```sh and ```python (other languages are not commands). */
export function runnableBlocks(doc: string): Block[] {
  const text = readFileSync(path.join(projectRoot, 'docs', doc), 'utf8');
  const out: Block[] = [];
  const re = /^```(sh|python)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) out.push({ doc, lang: m[1] as Block['lang'], code: m[2], line: text.slice(0, m.index).split('\n').length });
  return out;
}

function runBlock(b: Block, base: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = b.code.replaceAll('http://localhost:8080', base);
  const [cmd, args] = b.lang === 'sh' ? ['bash', ['-euo', 'pipefail', '-c', code]] : ['/usr/bin/python3', ['-c', code]];
  return new Promise((resolve) => {
    execFile(cmd, args as string[], { cwd, env, timeout: 300000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('commands in docs/', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let base: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-docs-'));
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'drsoda-docs-cwd-'));
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://localhost:${port}`;
    // As `npm start` runs it, on another port and with the test PostgreSQL (the embedded one works the same).
    env = { ...process.env, NODE_OPTIONS: '', PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: db.url, PATH: `${path.join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` };
    server = spawnDrsoda(['serve'], { PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: db.url });
    let stderr = '';
    server.stderr?.on('data', (d) => (stderr += d));
    await waitForLine(server, /demo archive ready/, 240000).catch((err: Error) => {
      throw new Error(`${err.message}\nstderr: ${stderr}`);
    });
  }, 260000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const done = finished(server, 30000);
      server.kill('SIGTERM');
      await done;
    }
    await db.drop();
  });

  for (const doc of ['api-guide.md', 'operations.md']) {
    it(`runs every sh and python block of docs/${doc}`, async () => {
      const blocks = runnableBlocks(doc);
      expect(blocks.length).toBeGreaterThan(doc === 'api-guide.md' ? 8 : 2);
      for (const b of blocks) {
        // The operator guide's `npx drsoda` runs from the checkout, as an operator would; the API guide writes files to a temp dir.
        const r = await runBlock(b, base, doc === 'operations.md' ? projectRoot : cwd, env);
        expect({ where: `docs/${doc}:${b.line}`, code: r.code, stderr: r.code ? r.stderr.slice(-2000) : '' }).toEqual({ where: `docs/${doc}:${b.line}`, code: 0, stderr: '' });
      }
    }, 600000);
  }
});
