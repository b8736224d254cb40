// The package version, read once from package.json (recorded with instances and, later, step ids).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../package.json');
export const version: string = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version;
