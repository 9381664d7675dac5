/**
 * What "executable markup" means for the security tests, checked with real parsers (parse5 for
 * HTML, saxes for XML) rather than regular expressions: script elements other than JSON-LD data,
 * event-handler attributes, URLs with a script-capable scheme, elements that embed or redirect.
 */
import {parseFragment, type DefaultTreeAdapterMap} from 'parse5'
import {SaxesParser} from 'saxes'

type Node = DefaultTreeAdapterMap['node']
type Element = DefaultTreeAdapterMap['element']

const DANGEROUS_ELEMENTS = new Set([
  'script',
  'iframe',
  'object',
  'embed',
  'frame',
  'frameset',
  'base',
  'meta',
  'form',
  'style',
  'link',
  'svg',
  'math',
  'template',
])
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'poster',
  'srcset',
  'data',
  'background',
])
const SAFE_SCHEMES = /^(https?:|mailto:|#|\/|\.\/|\.\.\/|[^:]*$)/i
// Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
// eslint-disable-next-line no-control-regex
const SCHEME_NOISE = /[\u0000-\u0020]/g

/** Problems in an HTML fragment; JSON-LD `<script type="application/ld+json">` is data, and checked to parse. */
export function htmlProblems(html: string, where: string): string[] {
  const problems: string[] = []
  const visit = (node: Node) => {
    if ('tagName' in node) {
      const el = node as Element
      if (
        el.tagName === 'script' &&
        el.attrs.some((a) => a.name === 'type' && a.value === 'application/ld+json')
      ) {
        const text = el.childNodes.map((c) => ('value' in c ? c.value : '')).join('')
        try {
          JSON.parse(text)
        } catch {
          problems.push(`${where}: JSON-LD script does not parse (broken out of?)`)
        }
        return
      }
      if (DANGEROUS_ELEMENTS.has(el.tagName)) problems.push(`${where}: <${el.tagName}> element`)
      for (const a of el.attrs) {
        if (/^on/i.test(a.name))
          problems.push(`${where}: event handler ${a.name}="${a.value.slice(0, 40)}"`)
        if (URL_ATTRIBUTES.has(a.name) && !SAFE_SCHEMES.test(a.value.replace(SCHEME_NOISE, '')))
          problems.push(`${where}: ${a.name}="${a.value.slice(0, 40)}"`)
        if (a.name === 'style' && /expression|url\s*\(/i.test(a.value))
          problems.push(`${where}: style="${a.value.slice(0, 40)}"`)
      }
    }
    if ('childNodes' in node) for (const c of node.childNodes) visit(c as Node)
    if ('content' in node && node.content) visit(node.content as unknown as Node)
  }
  visit(parseFragment(html) as unknown as Node)
  return problems
}

/** Elements whose text is HTML in RSS 2.0 / Atom (escaped or CDATA). */
const HTML_IN_XML = new Set([
  'description',
  'content:encoded',
  'content',
  'summary',
  'subtitle',
  'title',
  'rights',
])

/** Problems in an XML feed: the XML itself (no script elements, no handlers) and every HTML payload in it. */
export function xmlProblems(xml: string, where: string): string[] {
  const problems: string[] = []
  const parser = new SaxesParser({xmlns: false})
  const stack: Array<{name: string; html: boolean; text: string}> = []
  parser.on('opentag', (tag) => {
    const name = tag.name.toLowerCase()
    if (name === 'script' || name.endsWith(':script'))
      problems.push(`${where}: <${tag.name}> element in the XML`)
    for (const [attr, value] of Object.entries(tag.attributes)) {
      if (/^on/i.test(attr)) problems.push(`${where}: ${attr} attribute in the XML`)
      if (
        (attr === 'href' || attr === 'src') &&
        !SAFE_SCHEMES.test(String(value).replace(SCHEME_NOISE, ''))
      )
        problems.push(`${where}: ${attr}="${String(value).slice(0, 40)}"`)
    }
    const type = String((tag.attributes as Record<string, unknown>).type ?? '')
    const html =
      HTML_IN_XML.has(name) &&
      (name === 'description' || name === 'content:encoded' || type === 'html' || type === 'xhtml')
    stack.push({name, html, text: ''})
  })
  const addText = (t: string) => {
    const top = stack.at(-1)
    if (top) top.text += t
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.on('closetag', () => {
    const top = stack.pop()
    if (top?.html && top.text.includes('<'))
      problems.push(...htmlProblems(top.text, `${where} <${top.name}>`))
  })
  parser.on('error', (e) => problems.push(`${where}: not well-formed XML: ${e.message}`))
  parser.write(xml).close()
  return problems
}

/** Every string in a JSON value, with its path. */
export function jsonStrings(value: unknown, path = ''): Array<{path: string; value: string}> {
  if (typeof value === 'string') return [{path, value}]
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, `${path}[${i}]`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, path ? `${path}.${k}` : k))
  return []
}
