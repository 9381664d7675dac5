/** XML text and attribute escaping; every string passes through stripXmlIllegal first. */
import {stripXmlIllegal} from './text.ts'

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/** Safe as element text and as a double- or single-quoted attribute value. */
export function escapeXml(value: string): string {
  return stripXmlIllegal(value).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)
}

/** `<name attr="v">text</name>`, or '' when text is undefined (optional elements). */
export function element(
  name: string,
  text: string | undefined,
  attrs: Record<string, string | undefined> = {},
): string {
  if (text === undefined) return ''
  return `<${name}${attributes(attrs)}>${escapeXml(text)}</${name}>`
}

export function attributes(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('')
}

/** RFC 822 date as RSS 2.0 wants it (with a four-digit year, as RFC 1123 and every reader do). */
export function rfc822(iso: string): string {
  return new Date(iso).toUTCString()
}
