// The string XML writer the pure document builders share (VOTable, DataLink, UWS): escaping for text and
// attributes, start tags and complete elements. Strings, not xmlbuilder2: documents are written on every request
// (a UWS job is polled), and building a DOM to serialise it again costs far more than the text itself.

// XML 1.0 forbids most C0 controls; they cannot be escaped, so they are replaced (FITS text may hold them).
// eslint-disable-next-line no-control-regex
const illegal = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const special = /[&<>"\u0000-\u001F\uFFFE\uFFFF]/;

/** Text content, escaped. */
export function xmlText(s: string): string {
  if (!special.test(s)) return s;
  return s.replace(illegal, '?').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value, escaped; tabs and line breaks kept as character references (XML 1.0 section 3.3.3). */
export function xmlAttr(s: string): string {
  if (!special.test(s)) return s;
  return xmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** True for an XML NCName (what xs:ID attributes need: no colon, no leading digit, no space). */
export function isNcName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s);
}

export type Attrs = Record<string, string | undefined>;

/** Writes `<name a="v" ...` for the attributes that are set, in the given order. */
export function openTag(name: string, attrs: Attrs): string {
  let s = `<${name}`;
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) s += ` ${k}="${xmlAttr(v)}"`;
  }
  return s;
}

/**
 * A complete element: self-closed without children, else with its (already written) children or text. Children
 * are indented line by line, so give element children only, never text that may hold line breaks.
 */
export function element(name: string, attrs: Attrs, children: readonly string[] = [], text?: string): string {
  if (text !== undefined) return `${openTag(name, attrs)}>${xmlText(text)}</${name}>`;
  if (!children.length) return `${openTag(name, attrs)}/>`;
  return `${openTag(name, attrs)}>\n${indent(children.join('\n'))}\n</${name}>`;
}

export const indent = (s: string) => s.replace(/^/gm, '  ');
