/**
 * The last gate before writing: no output file may carry executable markup. Every file is parsed
 * (JSON.parse, saxes for XML) and checked at every layer a consumer could render as HTML:
 *
 * - JSON files must not contain a literal `<` at all (safeJson escapes it), so no `<script` can
 *   appear in the bytes; inside, HTML-valued members (`html`, `content_html`) may use only an
 *   allowlist of elements in exact forms (see htmlProblems), `jsonLdScript` must be exactly one
 *   ld+json script whose body cannot close it, and URL-valued members must be http(s) or mailto.
 * - XML files are parsed (saxes): no `script` elements or `on*` attributes, URL attributes and URL
 *   elements must be http(s), and the text of elements that carry HTML (RSS description, Atom
 *   type="html") is checked as HTML against the same allowlist.
 *
 * Plain-text members (titles, summaries) are text by contract: every renderer escapes them.
 */
import type {Problem} from '../lib/errors.ts'
import {parseXml, walk, XmlSyntaxError, type XmlElement} from './xmlTree.ts'

export interface OutputFile {
  /** Path inside the export, `/`-separated. */
  path: string
  content: string
}

/** What our own renderers emit; anything else in HTML is a bug or an injection. */
const ALLOWED_ELEMENTS = new Set(['p', 'h2', 'h3', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'br'])
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:'])

/** An absolute http, https or mailto URL (after the control-character stripping browsers do). */
export function isSafeAbsoluteUrl(value: string): boolean {
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  try {
    return SAFE_SCHEMES.has(new URL(compact).protocol)
  } catch {
    return false
  }
}

/** Entity references our escapeHtml writes; any other one in an href is refused, not decoded. */
const HREF_ENTITIES: Record<string, string> = {'&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>'}
const ALLOWED_TAG = new RegExp(`<(?:/?(?:${[...ALLOWED_ELEMENTS].filter((e) => e !== 'a').join('|')})>|/a>|a href="([^"<>]*)">)`, 'y')

/**
 * Problems in one HTML string. The check is an allowlist of exact byte forms: every `<` must start
 * one of `<p>`, `</p>`, …, `<br>` or `<a href="…">` whose href (after its entity references are
 * decoded) is an absolute http, https or mailto URL. A browser parsing such a string can only
 * build those elements with that one attribute: no other tag, no event handler, no raw-text
 * element (script, style, textarea…) can begin. (The tests cross-check outputs with parse5.)
 */
export function htmlProblems(html: string, where: {file: string; path: string}): Problem[] {
  const problems: Problem[] = []
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) {
    ALLOWED_TAG.lastIndex = i
    const m = ALLOWED_TAG.exec(html)
    if (!m) {
      const snippet = html.slice(i, i + 40).replace(/\s+/g, ' ')
      const what = /^<\s*\/?\s*script/i.test(snippet) ? '<script> is not allowed' : /\son[a-z]+\s*=/i.test(snippet) ? 'event handler attribute' : 'markup outside the allowlist'
      problems.push({level: 'error', ...where, message: `${what}: ${JSON.stringify(snippet)}`})
      continue
    }
    const rawHref = m[1]
    if (rawHref !== undefined) {
      const unknownEntity = /&(?!amp;|quot;|#39;|lt;|gt;)/.test(rawHref)
      const href = rawHref.replace(/&(?:amp|quot|#39|lt|gt);/g, (e) => HREF_ENTITIES[e]!)
      if (unknownEntity || !isSafeAbsoluteUrl(href)) problems.push({level: 'error', ...where, message: `href ${JSON.stringify(rawHref)} is not an http, https or mailto URL`})
    }
  }
  return problems
}

const LD_OPEN = '<script type="application/ld+json">'
const LD_CLOSE = '</script>'

/** The one script element we emit: a JSON-LD block whose body holds no `<` (so no `</script>`). */
function jsonLdScriptProblems(value: string, where: {file: string; path: string}): Problem[] {
  const body = value.startsWith(LD_OPEN) && value.endsWith(LD_CLOSE) ? value.slice(LD_OPEN.length, -LD_CLOSE.length) : undefined
  if (body === undefined || body.includes('<')) {
    return [{level: 'error', ...where, message: 'JSON-LD script block must be one <script type="application/ld+json"> with no "<" inside'}]
  }
  try {
    JSON.parse(body)
    return []
  } catch {
    return [{level: 'error', ...where, message: 'JSON-LD script block does not contain valid JSON'}]
  }
}

const HTML_KEYS = new Set(['html', 'content_html'])
const SCRIPT_KEYS = new Set(['jsonLdScript'])
/** Members holding URLs (JSON Feed, web/app/partner JSON, Portable Text links, JSON-LD). */
const URL_KEY = /^(url|href|link|home_page_url|feed_url|next_url|external_url|icon|favicon|avatar|image|banner_image|canonicalUrl|homePageUrl|baseUrl|relatedLink|about|sameAs)$/

/** The bytes of a JSON file: no literal "<", so nothing in it can open a tag when embedded. */
export function rawJsonProblems(content: string, file: string): Problem[] {
  return content.includes('<') ? [{level: 'error', file, message: 'JSON file contains a literal "<" (every "<" must be written \\u003c)'}] : []
}

/** HTML members, the JSON-LD script block and URL members of a parsed JSON file. */
export function jsonValueProblems(value: unknown, file: string): Problem[] {
  const problems: Problem[] = []
  // Identical HTML strings (a page's content in several members) are checked once.
  const checked = new Set<string>()
  const visit = (v: unknown, path: string, key: string) => {
    if (typeof v === 'string') {
      const where = {file, path: path || '/'}
      if (HTML_KEYS.has(key)) {
        if (!checked.has(v)) {
          const found = htmlProblems(v, where)
          if (found.length) problems.push(...found)
          else checked.add(v)
        }
      } else if (SCRIPT_KEYS.has(key)) problems.push(...jsonLdScriptProblems(v, where))
      // JSON Schema files: `$id`/`$schema` are URIs, checked like any other URL member.
      else if ((URL_KEY.test(key) || key === '$schema' || key === '$id') && !isSafeAbsoluteUrl(v)) {
        problems.push({level: 'error', ...where, message: `URL ${JSON.stringify(v)} is not an http, https or mailto URL`})
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}/${i}`, key))
    else if (v && typeof v === 'object') for (const k in v as Record<string, unknown>) visit((v as Record<string, unknown>)[k], `${path}/${k}`, k)
  }
  visit(value, '', '')
  return problems
}

function jsonProblems(file: OutputFile): Problem[] {
  let value: unknown
  try {
    value = JSON.parse(file.content)
  } catch (e) {
    return [...rawJsonProblems(file.content, file.path), {level: 'error', file: file.path, message: `not valid JSON: ${(e as Error).message}`}]
  }
  return [...rawJsonProblems(file.content, file.path), ...jsonValueProblems(value, file.path)]
}

/** XML elements whose text is HTML a reader renders, by feed vocabulary. */
function carriesHtml(name: string, attrs: Record<string, string>): boolean {
  if (name === 'description' || name === 'content:encoded') return true
  return attrs.type === 'html' && ['content', 'summary', 'title', 'subtitle', 'rights'].includes(name)
}
/** XML elements whose text is a URL. */
const URL_ELEMENTS = new Set(['link', 'guid', 'id', 'uri', 'url', 'docs', 'comments', 'icon', 'logo'])
/** XML attributes whose value is a URL. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'uri', 'url', 'domain', 'scheme', 'xml:base'])

/** Elements, attributes, URL texts and HTML-carrying texts of a parsed XML file. */
export function xmlTreeProblems(root: XmlElement, file: string): Problem[] {
  const problems: Problem[] = []
  const checked = new Set<string>()
  for (const el of walk(root)) {
    const where = {file, line: el.line, path: el.name}
    const local = el.name.split(':').at(-1)!.toLowerCase()
    if (local === 'script') problems.push({level: 'error', ...where, message: 'script element in XML'})
    for (const name in el.attrs) {
      const value = el.attrs[name]!
      const attrLocal = name.split(':').at(-1)!.toLowerCase()
      if (attrLocal.startsWith('on')) problems.push({level: 'error', ...where, message: `event handler attribute ${name}=`})
      if (URL_ATTRIBUTES.has(name) && !isSafeAbsoluteUrl(value)) problems.push({level: 'error', ...where, message: `${name}=${JSON.stringify(value)} is not an http(s) URL`})
    }
    if (URL_ELEMENTS.has(el.name) && el.children.length === 0 && el.text.trim() && !isSafeAbsoluteUrl(el.text.trim())) {
      problems.push({level: 'error', ...where, message: `${JSON.stringify(el.text.trim())} is not an http(s) URL`})
    }
    if (carriesHtml(el.name, el.attrs) && !checked.has(el.text)) {
      const found = htmlProblems(el.text, {file, path: el.name})
      for (const p of found) problems.push({...p, line: el.line})
      if (!found.length) checked.add(el.text)
    }
  }
  return problems
}

function xmlProblems(file: OutputFile): Problem[] {
  try {
    return xmlTreeProblems(parseXml(file.content), file.path)
  } catch (e) {
    const line = e instanceof XmlSyntaxError ? e.line : undefined
    return [{level: 'error', file: file.path, ...(line ? {line} : {}), message: `not well-formed XML: ${(e as Error).message}`}]
  }
}

/** Any other text file (the shipped README): no markup a browser would run, by the raw bytes. */
function textProblems(file: OutputFile): Problem[] {
  return /<\s*script|\bon[a-z]+\s*=|javascript\s*:/i.test(file.content)
    ? [{level: 'error', file: file.path, message: 'text file contains script-like markup'}]
    : []
}

/** Every executable-markup problem in every file; empty means safe to write. */
export function unsafeMarkupProblems(files: readonly OutputFile[]): Problem[] {
  return files.flatMap((f) => (f.path.endsWith('.json') ? jsonProblems(f) : f.path.endsWith('.xml') ? xmlProblems(f) : textProblems(f)))
}
