/**
 * The checks of single values that decide whether output can run as script in a consumer: a URL's
 * scheme, an HTML string against the allowlist of what our renderers emit, the JSON-LD script
 * block, and the bytes of a JSON file. Which values are URLs or HTML comes from the output
 * declarations (outputs/check.ts) and, for RSS and Atom, from their vocabularies (safety.ts).
 */
import type {Problem} from '../lib/errors.ts'

/** What our own renderers emit; anything else in HTML is a bug or an injection. */
const ALLOWED_ELEMENTS = new Set([
  'p',
  'h2',
  'h3',
  'blockquote',
  'ul',
  'ol',
  'li',
  'strong',
  'em',
  'a',
  'br',
])
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:'])

/** An absolute http, https or mailto URL (after the control-character stripping browsers do). */
export function isSafeAbsoluteUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- browsers drop these characters inside URLs
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  try {
    return SAFE_SCHEMES.has(new URL(compact).protocol)
  } catch {
    return false
  }
}

/** Entity references our escapeHtml writes; any other one in an href is refused, not decoded. */
const HREF_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
}
const ALLOWED_TAG = new RegExp(
  `<(?:/?(?:${[...ALLOWED_ELEMENTS].filter((e) => e !== 'a').join('|')})>|/a>|a href="([^"<>]*)">)`,
  'y',
)

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
      const what = /^<\s*\/?\s*script/i.test(snippet)
        ? '<script> is not allowed'
        : /\son[a-z]+\s*=/i.test(snippet)
          ? 'event handler attribute'
          : 'markup outside the allowlist'
      problems.push({level: 'error', ...where, message: `${what}: ${JSON.stringify(snippet)}`})
      continue
    }
    const rawHref = m[1]
    if (rawHref !== undefined) {
      const unknownEntity = /&(?!amp;|quot;|#39;|lt;|gt;)/.test(rawHref)
      const href = rawHref.replace(/&(?:amp|quot|#39|lt|gt);/g, (e) => HREF_ENTITIES[e]!)
      if (unknownEntity || !isSafeAbsoluteUrl(href))
        problems.push({
          level: 'error',
          ...where,
          message: `href ${JSON.stringify(rawHref)} is not an http, https or mailto URL`,
        })
    }
  }
  return problems
}

const LD_OPEN = '<script type="application/ld+json">'
const LD_CLOSE = '</script>'

/** The one script element we emit: a JSON-LD block whose body holds no `<` (so no `</script>`). */
export function jsonLdScriptProblems(
  value: string,
  where: {file: string; path: string},
): Problem[] {
  const body =
    value.startsWith(LD_OPEN) && value.endsWith(LD_CLOSE)
      ? value.slice(LD_OPEN.length, -LD_CLOSE.length)
      : undefined
  if (body === undefined || body.includes('<')) {
    return [
      {
        level: 'error',
        ...where,
        message:
          'JSON-LD script block must be one <script type="application/ld+json"> with no "<" inside',
      },
    ]
  }
  try {
    JSON.parse(body)
    return []
  } catch {
    return [{level: 'error', ...where, message: 'JSON-LD script block does not contain valid JSON'}]
  }
}

/** The bytes of a JSON file: no literal "<", so nothing in it can open a tag when embedded. */
export function rawJsonProblems(content: string, file: string): Problem[] {
  return content.includes('<')
    ? [
        {
          level: 'error',
          file,
          message: 'JSON file contains a literal "<" (every "<" must be written \\u003c)',
        },
      ]
    : []
}
