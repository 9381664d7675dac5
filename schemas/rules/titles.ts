/**
 * Where an article's title came from, and the Studio warning for a title made from a file name.
 * Shared by the importer (which records the source) and the article schema (which warns), so
 * both agree on what "the title made from the file name" is.
 */

/** `text`: a `# Title` or title line in the source; `option`: `--title`; `fileName`: made from the file name. */
export type TitleSource = 'text' | 'option' | 'fileName'

const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'for',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'vs',
  'with',
])

/**
 * "content/sources/microneedling-benefits.txt" → "Microneedling Benefits" (title case, small words
 * lower). Plain string work, no node:path: the Studio runs this too.
 */
export function titleFromFileName(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? ''
  const dot = name.lastIndexOf('.')
  const words = (dot > 0 ? name.slice(0, dot) : name).split(/[-_\s.]+/).filter(Boolean)
  return words
    .map((w, i) =>
      i > 0 && SMALL_WORDS.has(w.toLowerCase())
        ? w.toLowerCase()
        : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join(' ')
}

/**
 * A file name is no title ("Crlf Bom"), only a placeholder: warn while the title is still the one
 * made from the file name and no editor has confirmed it. Changing the title ends the warning as
 * well as ticking "Title confirmed" does.
 */
export function titleCheckMessage(doc: Record<string, unknown> | undefined): true | string {
  if (doc?.titleSource !== 'fileName' || doc.titleConfirmed === true) return true
  const fileName = (doc.source as {fileName?: unknown} | undefined)?.fileName
  if (typeof fileName === 'string' && doc.title !== titleFromFileName(fileName)) return true
  return `Check the title: it was made from the file name${typeof fileName === 'string' ? ` "${fileName}"` : ''}. Change it, or tick "Title confirmed" to keep it.`
}
