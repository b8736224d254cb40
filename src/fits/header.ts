// FITS header cards as an ordered, case-insensitive keyword list (FITS 4.0 section 4).

export type HeaderValue = string | number | boolean | bigint | null;

/**
 * One logical card. `value` is null for an undefined value (`KEY =` with a blank field) and undefined
 * for cards without a value indicator. COMMENT, HISTORY and blank-keyword cards carry their text as value.
 * A long string is one card here; the writer splits it into CONTINUE cards and the reader joins them.
 */
export interface Card {
  key: string;
  value: HeaderValue | undefined;
  comment?: string;
}

/** Keywords whose cards are commentary text rather than key = value. */
export const commentaryKeys = new Set(['COMMENT', 'HISTORY', '']);

export class Header {
  readonly cards: Card[];

  constructor(cards: Card[] = []) {
    this.cards = cards.map((c) => ({ ...c, key: c.key.toUpperCase() }));
  }

  private find(key: string): Card | undefined {
    const k = key.toUpperCase();
    return this.cards.find((c) => c.key === k);
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  get(key: string): HeaderValue | undefined {
    return this.find(key)?.value;
  }

  /** The value as a string with surrounding blanks removed; numbers and booleans are not converted. */
  string(key: string): string | undefined {
    const v = this.get(key);
    return typeof v === 'string' ? v.trim() : undefined;
  }

  /** The value as a number (bigint values are converted, possibly losing precision). */
  number(key: string): number | undefined {
    const v = this.get(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Replaces the first card with this keyword in place (keeping its comment unless one is given), or appends. */
  set(key: string, value: HeaderValue, comment?: string): this {
    const k = key.toUpperCase();
    if (commentaryKeys.has(k)) throw new TypeError(`use comment() or history() for ${k || 'blank'} cards`);
    const card = this.find(k);
    if (card) {
      card.value = value;
      if (comment !== undefined) card.comment = comment;
    } else {
      this.cards.push(comment === undefined ? { key: k, value } : { key: k, value, comment });
    }
    return this;
  }

  delete(key: string): this {
    const k = key.toUpperCase();
    for (let i = this.cards.length - 1; i >= 0; i--) if (this.cards[i].key === k) this.cards.splice(i, 1);
    return this;
  }

  history(text: string): this {
    this.cards.push({ key: 'HISTORY', value: text });
    return this;
  }

  comment(text: string): this {
    this.cards.push({ key: 'COMMENT', value: text });
    return this;
  }

  historyLines(): string[] {
    return this.cards.filter((c) => c.key === 'HISTORY').map((c) => String(c.value ?? ''));
  }

  clone(): Header {
    return new Header(this.cards);
  }
}
