/**
 * The last gate before writing: no output file may carry executable markup. Every file is parsed
 * (JSON.parse, saxes for XML) and checked at every layer a consumer could render as HTML:
 *
 * - JSON files must not contain a literal `<` at all (safeJson escapes it), so no `<script` can
 *   appear in the bytes; inside, the values the file's declaration (outputs/files.ts) gives a role
 *   are checked by it: HTML against the allowlist, URLs for their scheme, the JSON-LD script block.
 * - XML files are parsed (saxes): no `script` elements or `on*` attributes, URL attributes and URL
 *   elements must be http(s), and the text of elements that carry HTML (RSS description, Atom
 *   type="html") is checked as HTML against the same allowlist. Which elements those are is the
 *   RSS and Atom vocabularies' own.
 *
 * Plain-text members (titles, summaries) are text by contract: every renderer escapes them.
 */
import type {Problem} from '../lib/errors.ts'
import {htmlProblems, isSafeAbsoluteUrl, rawJsonProblems} from './markup.ts'
import {roleProblems} from './outputs/check.ts'
import {jsonFileKind} from './outputs/files.ts'
import {parseXml, walk, XmlSyntaxError, type XmlElement} from './xmlTree.ts'

export interface OutputFile {
  /** Path inside the export, `/`-separated. */
  path: string
  content: string
}

/**
 * The roles of a parsed JSON file's values, by the declaration of the file (outputs/files.ts). A
 * JSON file no output declares is refused: its values' roles are unknown.
 */
export function jsonValueProblems(value: unknown, file: string): Problem[] {
  const kind = jsonFileKind(file)
  if (!kind) return [{level: 'error', file, message: 'no output declares this JSON file'}]
  return roleProblems(kind.roles, value, file)
}

function jsonProblems(file: OutputFile): Problem[] {
  const raw = rawJsonProblems(file.content, file.path)
  let value: unknown
  try {
    value = JSON.parse(file.content)
  } catch (e) {
    const message = `not valid JSON: ${(e as Error).message}`
    return [...raw, {level: 'error', file: file.path, message}]
  }
  return [...raw, ...jsonValueProblems(value, file.path)]
}

/** XML elements whose text is HTML a reader renders, by feed vocabulary. */
function carriesHtml(name: string, attrs: Record<string, string>): boolean {
  if (name === 'description' || name === 'content:encoded') return true
  return (
    attrs.type === 'html' && ['content', 'summary', 'title', 'subtitle', 'rights'].includes(name)
  )
}
/** XML elements whose text is a URL. */
const URL_ELEMENTS = new Set([
  'link',
  'guid',
  'id',
  'uri',
  'url',
  'docs',
  'comments',
  'icon',
  'logo',
])
/** XML attributes whose value is a URL. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'uri', 'url', 'domain', 'scheme', 'xml:base'])

/** Elements, attributes, URL texts and HTML-carrying texts of a parsed XML file. */
export function xmlTreeProblems(root: XmlElement, file: string): Problem[] {
  const problems: Problem[] = []
  const checked = new Set<string>()
  for (const el of walk(root)) {
    const where = {file, line: el.line, path: el.name}
    const local = el.name.split(':').at(-1)!.toLowerCase()
    if (local === 'script')
      problems.push({level: 'error', ...where, message: 'script element in XML'})
    for (const name in el.attrs) {
      const value = el.attrs[name]!
      const attrLocal = name.split(':').at(-1)!.toLowerCase()
      if (attrLocal.startsWith('on'))
        problems.push({level: 'error', ...where, message: `event handler attribute ${name}=`})
      if (URL_ATTRIBUTES.has(name) && !isSafeAbsoluteUrl(value))
        problems.push({
          level: 'error',
          ...where,
          message: `${name}=${JSON.stringify(value)} is not an http(s) URL`,
        })
    }
    if (
      URL_ELEMENTS.has(el.name) &&
      el.children.length === 0 &&
      el.text.trim() &&
      !isSafeAbsoluteUrl(el.text.trim())
    ) {
      problems.push({
        level: 'error',
        ...where,
        message: `${JSON.stringify(el.text.trim())} is not an http(s) URL`,
      })
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
    return [
      {
        level: 'error',
        file: file.path,
        ...(line ? {line} : {}),
        message: `not well-formed XML: ${(e as Error).message}`,
      },
    ]
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
  return files.flatMap((f) =>
    f.path.endsWith('.json')
      ? jsonProblems(f)
      : f.path.endsWith('.xml')
        ? xmlProblems(f)
        : textProblems(f),
  )
}
