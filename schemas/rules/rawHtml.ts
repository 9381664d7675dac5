/**
 * Raw HTML in rich text. The importer keeps a source's HTML as literal characters (never as
 * markup), so readers would see `<b onclick=…>` on the page: a Studio warning on the block, until
 * an editor rewrites or removes it. Found in the stored text itself, so it also flags HTML typed
 * or pasted in the Studio, and it goes away once the text is fixed.
 */
import type {Path, ValidationError} from 'sanity'

/**
 * The raw HTML CommonMark recognises (an open or closing tag, a comment, a processing instruction,
 * a declaration or CDATA), plus the start of an HTML block whose tag is never closed ("<script").
 * "a < b", "<3 weeks" and "<5%" are not HTML.
 */
const RAW_HTML = new RegExp(
  [
    String.raw`<\/?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>\x60]+|'[^']*'|"[^"]*"))?)*\s*\/?>`,
    String.raw`<!--(?:[\s\S]*?-->)?`,
    String.raw`<\?(?:[\s\S]*?\?>)?`,
    String.raw`<![A-Za-z][^>]*>?`,
    String.raw`<!\[CDATA\[(?:[\s\S]*?\]\]>)?`,
    String.raw`<(?:script|pre|style|textarea|iframe)\b`,
  ].join('|'),
  'i',
)

/** The first raw HTML in a text (a construct left open: its opening), or undefined. */
export function findRawHtml(text: string): string | undefined {
  return RAW_HTML.exec(text)?.[0]
}

interface Block {
  _key?: unknown
  children?: unknown
}

/**
 * One warning per block holding raw HTML in the document's Portable Text `fields`, each on its
 * block's path, so the Studio shows it where the text is and `npm run validate` names the block.
 */
export function rawHtmlWarnings(
  doc: Record<string, unknown> | undefined,
  fields: readonly string[],
): true | ValidationError[] {
  const found: ValidationError[] = []
  for (const field of fields) {
    const blocks = doc?.[field]
    if (!Array.isArray(blocks)) continue
    blocks.forEach((block: Block, index) => {
      if (!Array.isArray(block?.children)) return
      const text = block.children
        .map((c: {text?: unknown}) => (typeof c?.text === 'string' ? c.text : ''))
        .join('')
      const html = findRawHtml(text)
      if (html === undefined) return
      const at: Path = [field, typeof block._key === 'string' ? {_key: block._key} : index]
      found.push({
        message: `Raw HTML ${quote(html)} shows as literal text to readers: rewrite it as plain text or remove it`,
        path: at,
      })
    })
  }
  return found.length ? found : true
}

function quote(html: string): string {
  const flat = html.replace(/\s+/g, ' ')
  return `"${flat.length > 60 ? `${flat.slice(0, 57)}…` : flat}"`
}
