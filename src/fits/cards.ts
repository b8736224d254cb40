// Parsing and formatting of 80-character header records (FITS 4.0 sections 4.1-4.2, CONTINUE per appendix/OGIP).
import { FitsError } from './errors.js';
import { commentaryKeys, type Card, type HeaderValue } from './header.js';

export const CARD = 80;
export const BLOCK = 2880;
const keyPattern = /^[A-Z0-9_-]{1,8}$/;
const intPattern = /^[+-]?\d+$/;
const realPattern = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;
const printable = /^[\x20-\x7e]*$/;

/** Parses one value field (the text after `= ` or after `CONTINUE`). */
function parseValue(field: string): { value: HeaderValue; comment?: string } {
  let i = 0;
  while (field[i] === ' ') i++;
  let value: HeaderValue;
  let rest: string;
  if (field[i] === "'") {
    let s = '';
    let j = i + 1;
    for (; j < field.length; j++) {
      if (field[j] === "'") {
        if (field[j + 1] === "'") {
          s += "'";
          j++;
        } else break;
      } else s += field[j];
    }
    // Trailing blanks in a string value are not significant (FITS 4.0 section 4.2.1.1).
    value = s.trimEnd();
    rest = field.slice(j + 1);
  } else {
    const slash = field.indexOf('/', i);
    const token = (slash < 0 ? field.slice(i) : field.slice(i, slash)).trim();
    rest = slash < 0 ? '' : field.slice(slash);
    if (token === '') value = null;
    else if (token === 'T') value = true;
    else if (token === 'F') value = false;
    else if (intPattern.test(token)) {
      const n = Number(token);
      value = Number.isSafeInteger(n) ? n : BigInt(token);
    } else if (realPattern.test(token)) value = parseFloat(token.replace(/[dD]/, 'E'));
    else value = token; // complex or non-standard values are kept verbatim
  }
  const slash = rest.indexOf('/');
  const comment = slash < 0 ? '' : rest.slice(slash + 1).trim();
  return comment ? { value, comment } : { value };
}

/** Parses one record; returns 'END' for the END card. */
export function parseCard(rec: string): Card | 'END' {
  const key = rec.slice(0, 8).trimEnd().toUpperCase();
  if (key === 'END') return 'END';
  if (key === 'HIERARCH') {
    const eq = rec.indexOf('=');
    if (eq > 0) return { key: rec.slice(9, eq).trim().toUpperCase(), ...parseValue(rec.slice(eq + 1)) };
  }
  if (commentaryKeys.has(key)) return { key, value: rec.slice(8).trimEnd() };
  if (key === 'CONTINUE') {
    const body = rec.slice(8);
    return body.trimStart().startsWith("'") ? { key, ...parseValue(body) } : { key, value: body.trimEnd() };
  }
  if (rec.slice(8, 10) === '= ') return { key, ...parseValue(rec.slice(10)) };
  const text = rec.slice(8).trim();
  return text ? { key, value: undefined, comment: text } : { key, value: undefined };
}

/** Parses records, joining CONTINUE cards onto a preceding string that ends in '&'. */
export function parseCards(records: string[]): Card[] {
  const cards: Card[] = [];
  for (const rec of records) {
    const card = parseCard(rec);
    if (card === 'END') break;
    const prev = cards[cards.length - 1];
    if (card.key === 'CONTINUE' && typeof card.value === 'string' && typeof prev?.value === 'string' && prev.value.endsWith('&')) {
      prev.value = prev.value.slice(0, -1) + card.value;
      if (card.comment) prev.comment = prev.comment ? `${prev.comment} ${card.comment}` : card.comment;
      continue;
    }
    cards.push(card);
  }
  return cards;
}

function checkText(text: string, what: string): void {
  if (!printable.test(text)) throw new FitsError(`${what} contains characters outside printable ASCII: ${JSON.stringify(text)}`);
}

/**
 * Formats a real with the shortest digits that read back exactly; such a string is at most 24 characters, so it
 * may run past column 30 (free format, FITS 4.0 section 4.2.4) rather than lose precision.
 */
export function formatReal(v: number): string {
  if (!Number.isFinite(v)) throw new FitsError(`FITS header values cannot be ${v}`);
  let s = String(v).replace('e', 'E');
  if (!s.includes('.')) s = s.includes('E') ? s.replace('E', '.E') : `${s}.`;
  return s;
}

function formatScalar(value: Exclude<HeaderValue, string>): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'bigint') return String(value);
  return Number.isSafeInteger(value) ? String(value) : formatReal(value);
}

function withComment(rec: string, comment: string | undefined): string {
  if (!comment) return rec.padEnd(CARD);
  return `${rec} / ${comment}`.slice(0, CARD).padEnd(CARD);
}

/** Splits an escaped string into chunks of at most `max` characters without breaking a doubled quote. */
function chunks(escaped: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < escaped.length) {
    let end = Math.min(i + max, escaped.length);
    let quotes = 0;
    for (let j = end - 1; j >= i && escaped[j] === "'"; j--) quotes++;
    if (quotes % 2 === 1 && end < escaped.length) end--;
    out.push(escaped.slice(i, end));
    i = end;
  }
  return out;
}

/** Formats one logical card as one or more 80-character records. Throws FitsError for values FITS cannot hold. */
export function formatCard(card: Card): string[] {
  const key = card.key.toUpperCase();
  if (commentaryKeys.has(key) || key === 'CONTINUE') {
    const text = card.value === undefined || card.value === null ? '' : String(card.value);
    checkText(text, `${key || 'blank'} card`);
    const parts = text.length === 0 ? [''] : (text.match(/.{1,72}/g) ?? ['']);
    return parts.map((p) => (key.padEnd(8) + p).padEnd(CARD));
  }
  if (!keyPattern.test(key)) throw new FitsError(`invalid FITS keyword ${JSON.stringify(card.key)} (1-8 of A-Z 0-9 _ -)`);
  if (card.comment) checkText(card.comment, `comment of ${key}`);
  const head = `${key.padEnd(8)}= `;
  if (card.value === undefined) return [withComment(key.padEnd(8), card.comment)];
  if (typeof card.value !== 'string') return [withComment(head + formatScalar(card.value).padStart(20), card.comment)];
  checkText(card.value, `value of ${key}`);
  const escaped = card.value.replace(/'/g, "''");
  if (escaped.length <= 68) {
    const quoted = escaped.length === 0 ? "''" : `'${escaped.padEnd(8)}'`;
    const rec = head + quoted.padEnd(20);
    if (!card.comment || rec.length + 3 + card.comment.length <= CARD || escaped.length < 40) return [withComment(rec, card.comment)];
  }
  // Long string: OGIP CONTINUE convention, each piece ends in '&' except the last (astropy reads this natively).
  const pieces = chunks(escaped, 67);
  const recs = pieces.map((p, n) => (n === 0 ? head : 'CONTINUE  ') + `'${p}${n < pieces.length - 1 ? '&' : ''}'`);
  const last = recs.length - 1;
  if (card.comment && recs[last].length + 3 + card.comment.length > CARD) {
    recs[last] = recs[last].slice(0, -1) + "&'";
    recs.push("CONTINUE  ''");
  }
  return recs.map((r, n) => (n === recs.length - 1 ? withComment(r, card.comment) : r.padEnd(CARD)));
}

/** Formats cards plus END, padded with blanks to whole 2880-byte blocks. */
export function formatHeader(cards: Card[]): Buffer {
  const recs = cards.flatMap(formatCard);
  recs.push('END'.padEnd(CARD));
  const text = recs.join('');
  return Buffer.from(text.padEnd(Math.ceil(text.length / BLOCK) * BLOCK), 'latin1');
}
