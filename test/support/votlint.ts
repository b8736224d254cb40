// Runs STILTS votlint (the VOTable validator TOPCAT's author maintains) on a document and returns its ERROR and
// WARNING lines. votlint exits 0 whatever it finds, so the lines are the verdict.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface VotlintReport {
  errors: string[];
  warnings: string[];
  /** Everything votlint printed, for failure messages. */
  output: string;
}

/** Checks the document as VOTable 1.4 (UCDs and units too). Throws when stilts is missing or times out. */
export function votlint(xml: string, o: { timeoutMs?: number } = {}): Promise<VotlintReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-votlint-'));
  const file = path.join(dir, 'doc.vot');
  writeFileSync(file, xml);
  return new Promise((resolve, reject) => {
    execFile(
      'stilts',
      ['votlint', 'version=1.4', 'ucd=true', 'unit=true', `votable=${file}`],
      { timeout: o.timeoutMs ?? 60000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('stilts not installed (apt-get install stilts)'));
        if (err && (err as { killed?: boolean }).killed) return reject(new Error('stilts votlint timed out'));
        if (err) return reject(new Error(`stilts votlint failed: ${stderr || err.message}`));
        const output = `${stdout}${stderr}`;
        const lines = output.split('\n').map((l) => l.trim());
        resolve({ errors: lines.filter((l) => l.startsWith('ERROR')), warnings: lines.filter((l) => l.startsWith('WARNING')), output });
      },
    );
  });
}

/** Jest helper: fails on any ERROR, and on any WARNING not matched by one of the allowed patterns. */
export async function expectVotlintClean(xml: string, allowedWarnings: readonly RegExp[] = []): Promise<VotlintReport> {
  const r = await votlint(xml);
  const unexplained = r.warnings.filter((w) => !allowedWarnings.some((a) => a.test(w)));
  if (r.errors.length || unexplained.length) {
    throw new Error(`votlint found problems:\n${[...r.errors, ...unexplained].join('\n')}\n--- document ---\n${xml.slice(0, 4000)}`);
  }
  return r;
}

export interface DatalinkLintReport {
  errors: string[];
  warnings: string[];
  /** Every message as `LEVEL CODE text`, for failure messages. */
  messages: string[];
}

/**
 * Runs STILTS datalinklint (TOPCAT's DataLink validator: VOTable, link table, service descriptors, and for a
 * URL the HTTP Content-Type) on a document or a URL.
 */
export function datalinklint(xmlOrUrl: string, o: { timeoutMs?: number } = {}): Promise<DatalinkLintReport> {
  const isUrl = /^https?:\/\//.test(xmlOrUrl);
  const dir = isUrl ? null : mkdtempSync(path.join(os.tmpdir(), 'drsoda-dllint-'));
  const target = dir ? path.join(dir, 'links.vot') : xmlOrUrl;
  if (dir) writeFileSync(target, xmlOrUrl);
  return new Promise((resolve, reject) => {
    execFile('stilts', ['datalinklint', 'format=json', `votable=${target}`], { timeout: o.timeoutMs ?? 60000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, no_proxy: '127.0.0.1,localhost' } }, (err, stdout, stderr) => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('stilts not installed (apt-get install stilts)'));
      if (err) return reject(new Error(`stilts datalinklint failed: ${stderr || err.message}`));
      const sections = (JSON.parse(stdout) as { sections: Array<{ level: string; code: string; text: string }> }).sections;
      const messages = sections.map((s) => `${s.level} ${s.code}${s.text}`);
      resolve({
        errors: messages.filter((m) => m.startsWith('ERROR') || m.startsWith('FAILURE')),
        warnings: messages.filter((m) => m.startsWith('WARNING')),
        messages,
      });
    });
  });
}

/** Jest helper: no error or failure, and only the explained warnings. */
export async function expectDatalinkLintClean(xmlOrUrl: string, allowedWarnings: readonly RegExp[] = []): Promise<DatalinkLintReport> {
  const r = await datalinklint(xmlOrUrl);
  const unexplained = r.warnings.filter((w) => !allowedWarnings.some((a) => a.test(w)));
  if (r.errors.length || unexplained.length) throw new Error(`datalinklint found problems:\n${[...r.errors, ...unexplained].join('\n')}\n--- all ---\n${r.messages.join('\n')}`);
  return r;
}
