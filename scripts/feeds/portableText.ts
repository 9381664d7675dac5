/**
 * Portable Text for export: sanitized once (only the node kinds the schema allows, links made
 * absolute and limited to http/https/mailto), then rendered to HTML and plain text. Unsafe links
 * lose their annotation but keep their text, so the words still read right.
 */
import {toHTML, type PortableTextComponents} from '@portabletext/to-html'
import type {Problem} from '../lib/errors.ts'
import {escapeHtml} from './html.ts'
import {hasXmlIllegal, stripXmlIllegal} from './text.ts'
import type {Block, LinkDef, Span} from './types.ts'
import {resolveLink} from './urls.ts'

const STYLES = new Set(['normal', 'h2', 'h3', 'blockquote'])
const DECORATORS = new Set(['strong', 'em'])

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

/** Members, in order, of a block already in sanitized form (the order the importer writes). */
const BLOCK_KEYS = ['_type', '_key', 'style', 'markDefs', 'children']
const LIST_BLOCK_KEYS = ['_type', '_key', 'style', 'listItem', 'level', 'markDefs', 'children']
const SPAN_KEYS = ['_type', '_key', 'text', 'marks']
const LINK_KEYS = ['_type', '_key', 'href']

/** Whether `o`'s own enumerable members are exactly `keys`, in that order (nothing allocated). */
function hasKeys(o: object, keys: readonly string[]): boolean {
  let i = 0
  for (const k in o) if (!Object.hasOwn(o, k) || k !== keys[i++]) return false
  return i === keys.length
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== ''

/**
 * Whether a stored block is exactly what sanitizing it would produce: same members in the same
 * order, nothing to drop or rewrite. Such a block is exported as it is, not copied: at 100k
 * documents the copies were ~0.5 GB of objects the export kept until their pages were written.
 */
function isSanitized(b: Record<string, unknown>, baseUrl: string): boolean {
  if (b.listItem !== undefined) {
    if (
      !hasKeys(b, LIST_BLOCK_KEYS) ||
      (b.listItem !== 'bullet' && b.listItem !== 'number') ||
      typeof b.level !== 'number' ||
      !Number.isInteger(b.level) ||
      b.level < 1 ||
      b.level > 6
    )
      return false
  } else if (!hasKeys(b, BLOCK_KEYS)) return false
  if (
    !nonEmpty(b._key) ||
    typeof b.style !== 'string' ||
    !STYLES.has(b.style) ||
    !Array.isArray(b.markDefs) ||
    !Array.isArray(b.children)
  )
    return false
  const linkKeys = new Set<string>()
  for (const d of b.markDefs as unknown[]) {
    const def = asRecord(d)
    if (
      !def ||
      !hasKeys(def, LINK_KEYS) ||
      def._type !== 'link' ||
      typeof def._key !== 'string' ||
      typeof def.href !== 'string'
    )
      return false
    if (resolveLink(def.href, baseUrl) !== def.href) return false
    linkKeys.add(def._key)
  }
  for (const c of b.children as unknown[]) {
    const span = asRecord(c)
    if (
      !span ||
      !hasKeys(span, SPAN_KEYS) ||
      span._type !== 'span' ||
      !nonEmpty(span._key) ||
      typeof span.text !== 'string' ||
      !Array.isArray(span.marks)
    )
      return false
    if (hasXmlIllegal(span.text)) return false
    for (const m of span.marks as unknown[])
      if (typeof m !== 'string' || !(DECORATORS.has(m) || linkKeys.has(m))) return false
  }
  return true
}

/**
 * Blocks reduced to what renderers understand. Problems (as warnings) name the document and field
 * of every dropped link so an editor can fix the source. A block that is already in that form is
 * returned as it is (the same object): callers never modify blocks.
 */
export function sanitizeBlocks(
  value: unknown,
  ctx: {baseUrl: string; documentId: string; field: string},
  problems: Problem[],
): Block[] {
  if (!Array.isArray(value)) return []
  const blocks: Block[] = []
  value.forEach((raw, i) => {
    const b = asRecord(raw)
    if (!b || b._type !== 'block') return
    if (isSanitized(b, ctx.baseUrl)) {
      blocks.push(b as unknown as Block)
      return
    }
    const key = typeof b._key === 'string' && b._key ? b._key : `b${i}`
    const markDefs: LinkDef[] = []
    for (const rawDef of Array.isArray(b.markDefs) ? b.markDefs : []) {
      const def = asRecord(rawDef)
      if (!def || def._type !== 'link' || typeof def._key !== 'string') continue
      const href = typeof def.href === 'string' ? resolveLink(def.href, ctx.baseUrl) : undefined
      if (href) markDefs.push({_type: 'link', _key: def._key, href})
      else
        problems.push({
          level: 'warning',
          documentId: ctx.documentId,
          path: `${ctx.field}[_key=="${key}"].markDefs[_key=="${def._key}"].href`,
          message: 'link is not an http, https or mailto URL; exported as plain text',
        })
    }
    const linkKeys = new Set(markDefs.map((d) => d._key))
    const children: Span[] = []
    ;(Array.isArray(b.children) ? b.children : []).forEach((rawSpan, j) => {
      const s = asRecord(rawSpan)
      if (!s || s._type !== 'span') return
      // Spans join mid-sentence: keep their spacing, drop only characters XML cannot carry.
      const text = typeof s.text === 'string' ? stripXmlIllegal(s.text) : ''
      const marks = (Array.isArray(s.marks) ? s.marks : []).filter(
        (m): m is string => typeof m === 'string' && (DECORATORS.has(m) || linkKeys.has(m)),
      )
      children.push({
        _type: 'span',
        _key: typeof s._key === 'string' && s._key ? s._key : `${key}s${j}`,
        text,
        marks,
      })
    })
    // Members in the order the importer writes them (isSanitized accepts exactly that order).
    const block = {
      _type: 'block',
      _key: key,
      style:
        typeof b.style === 'string' && STYLES.has(b.style) ? (b.style as Block['style']) : 'normal',
    } as Block
    if (b.listItem === 'bullet' || b.listItem === 'number') {
      block.listItem = b.listItem
      block.level =
        typeof b.level === 'number' && Number.isInteger(b.level) && b.level > 0
          ? Math.min(b.level, 6)
          : 1
    }
    block.markDefs = markDefs
    block.children = children
    blocks.push(block)
  })
  return blocks
}

/** A link mark's HTML around `children`: hrefs were resolved in sanitizeBlocks; check again so this renderer is safe on its own. */
function linkHtml(href: unknown, children: string): string {
  const resolved =
    typeof href === 'string' ? resolveLink(href, 'https://invalid.example') : undefined
  return resolved && resolved === href
    ? `<a href="${escapeHtml(resolved)}">${children}</a>`
    : children
}

const components: PortableTextComponents = {
  marks: {
    link: ({children, value}) => linkHtml((value as {href?: unknown} | undefined)?.href, children),
  },
  unknownMark: ({children}) => children,
  unknownType: () => '',
  hardBreak: () => '<br>',
  escapeHTML: escapeHtml,
}

/** HTML of sanitized blocks: p, h2, h3, blockquote, ul/ol/li, strong, em, a[href]. */
export function blocksToHtml(blocks: readonly Block[]): string {
  if (blocks.length === 0) return ''
  return (
    plainBlocksHtml(blocks) ??
    toHTML(blocks as unknown as Parameters<typeof toHTML>[0], {
      components,
      onMissingComponent: false,
    })
  )
}

const BLOCK_TAGS: Record<Block['style'], string> = {
  normal: 'p',
  h2: 'h2',
  h3: 'h3',
  blockquote: 'blockquote',
}

/**
 * The common case without @portabletext/to-html, byte for byte what it renders with the
 * components above: blocks that are not list items and spans with at most one mark each. Then
 * its mark tree is flat — consecutive spans with the same mark share one element, a span
 * without marks closes it — and text is escaped, with "\n" as <br>. Anything else (lists,
 * nested marks) returns undefined and goes through toHTML; tests/bench compares the two.
 */
export function plainBlocksHtml(blocks: readonly Block[]): string | undefined {
  // Pieces joined once at the end: a flat string. Concatenating with `+=` leaves a tree of
  // pieces in memory, several times the text's size, for every page the model keeps.
  const out: string[] = []
  for (const block of blocks) {
    if (block.listItem) return undefined
    let inner = ''
    let openKey: string | undefined
    let openHtml = ''
    const close = () => {
      if (openKey === undefined) return
      const def = block.markDefs.find((d) => d._key === openKey)
      if (def) inner += def._type === 'link' ? linkHtml(def.href, openHtml) : openHtml
      else
        inner +=
          openKey === 'strong' || openKey === 'em'
            ? `<${openKey}>${openHtml}</${openKey}>`
            : openHtml
      openKey = undefined
      openHtml = ''
    }
    for (const span of block.children) {
      if (span.marks.length > 1) return undefined
      const key = span.marks[0]
      const text = span.text.includes('\n')
        ? span.text.split('\n').map(escapeHtml).join('<br>')
        : escapeHtml(span.text)
      if (key === undefined) {
        close()
        inner += text
      } else {
        if (key !== openKey) close()
        openKey = key
        openHtml += text
      }
    }
    close()
    const tag = BLOCK_TAGS[block.style] ?? 'p'
    out.push(`<${tag}>`, inner, `</${tag}>`)
  }
  return out.join('')
}

/** Plain text: one paragraph per block, list items prefixed, blank line between blocks. */
export function blocksToText(blocks: readonly Block[]): string {
  const counters = new Map<number, number>()
  return blocks
    .map((b) => {
      const text = b.children
        .map((s) => s.text)
        .join('')
        .trim()
      if (!b.listItem) {
        counters.clear()
        return text
      }
      const level = b.level ?? 1
      const indent = '  '.repeat(level - 1)
      if (b.listItem === 'number') {
        const n = (counters.get(level) ?? 0) + 1
        counters.set(level, n)
        return `${indent}${n}. ${text}`
      }
      return `${indent}- ${text}`
    })
    .filter((t) => t !== '')
    .join('\n\n')
}
