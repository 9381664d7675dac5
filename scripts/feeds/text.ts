/** Text clean-up shared by every format: characters XML 1.0 forbids, whitespace in one-line fields. */

/**
 * Characters outside the XML 1.0 `Char` production (C0 controls other than tab/LF/CR, lone
 * surrogates, U+FFFE/U+FFFF). One bad character makes a whole feed unparseable, so they are
 * removed from every string before any renderer sees it.
 */
const XML_ILLEGAL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL, '')
}

const ONE_XML_ILLEGAL = new RegExp(XML_ILLEGAL.source)

/** Whether stripXmlIllegal would change `text`. */
export const hasXmlIllegal = (text: string): boolean => ONE_XML_ILLEGAL.test(text)

/** Multi-line text (descriptions, cautions): legal characters, CRLF → LF, trimmed. */
export function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const text = stripXmlIllegal(value).replace(/\r\n?/g, '\n').trim()
  return text === '' ? undefined : text
}

/** One-line text (titles, names): as cleanText, whitespace runs collapsed to one space. */
export function cleanLine(value: unknown): string | undefined {
  const text = cleanText(value)
  return text === undefined ? undefined : text.replace(/\s+/g, ' ')
}

/** The first `max` characters of a text, cut at a word boundary, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`
}

/** Code-point order: the same on every machine and locale (localeCompare is not). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
