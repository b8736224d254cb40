// Validates XML against the official IVOA schemas in ../shared/ivoa (IVOA_SCHEMA_DIR overrides), offline, with xmllint.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ivoaDir = path.resolve(process.env.IVOA_SCHEMA_DIR ?? path.join(here, '../../../shared/ivoa'));

export const schemas = {
  uws: 'UWS-v1.1.xsd',
  availability: 'VOSIAvailability-v1.0.xsd',
  capabilities: 'capabilities-bundle.xsd',
  votable: 'votable-1.4/VOTable.xsd',
} as const;

export interface XsdResult {
  valid: boolean;
  output: string;
}

/** Runs xmllint --schema on the document; throws if the schemas or xmllint are missing. */
export function validateXml(xml: string, schema: keyof typeof schemas): Promise<XsdResult> {
  const xsd = path.join(ivoaDir, schemas[schema]);
  if (!existsSync(xsd)) throw new Error(`IVOA schema not found: ${xsd} (set IVOA_SCHEMA_DIR)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-xsd-'));
  const file = path.join(dir, 'doc.xml');
  writeFileSync(file, xml);
  return new Promise((resolve, reject) => {
    execFile(
      'xmllint',
      ['--nonet', '--noout', '--schema', xsd, file],
      { env: { ...process.env, XML_CATALOG_FILES: path.join(ivoaDir, 'catalog.xml') }, timeout: 30000 },
      (err, _stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('xmllint not installed (apt-get install libxml2-utils)'));
        resolve({ valid: !err, output: stderr });
      },
    );
  });
}

/** Jest helper: fails with xmllint's explanation when the document is invalid. */
export async function expectValid(xml: string, schema: keyof typeof schemas): Promise<void> {
  const r = await validateXml(xml, schema);
  if (!r.valid) throw new Error(`document is not valid against ${schemas[schema]}:\n${r.output}\n--- document ---\n${xml.slice(0, 4000)}`);
}
