/**
 * mdast → Portable Text for the `blockContent` type (schemas/objects/blockContent.ts): paragraphs,
 * h2/h3, blockquotes, bullet/number lists, strong/em, and http(s)/mailto links. Everything else
 * keeps its words as plain text. Raw HTML is text, never markup: renderers escape it, so a
 * `<script>` in a source can only ever show up as the characters "<script>". Keys derive from the
 * document id and positions, so the same text always yields the same blocks.
 */
import type {Definition, Nodes, PhrasingContent, Root, RootContent} from 'mdast'
import {isSafeUrl} from '../../schemas/rules/urls.ts'
import {stableKey} from '../lib/hash.ts'
import {plainText} from './markdown.ts'
import type {ImportWarning, TextLeaf} from './types.ts'

export interface PtSpan {
  _type: 'span'
  _key: string
  text: string
  marks: string[]
}

export interface PtLink {
  _type: 'link'
  _key: string
  href: string
}

export interface PtBlock {
  _type: 'block'
  _key: string
  style: 'normal' | 'h2' | 'h3' | 'blockquote'
  listItem?: 'bullet' | 'number'
  level?: number
  markDefs: PtLink[]
  children: PtSpan[]
}

export interface PtContext {
  /** Document the blocks belong to: part of every `_key`. */
  docId: string
  file: string
  /** Added to mdast line numbers (the text was cut out of a larger source). */
  lineOffset: number
  /** Link reference definitions of the whole source. */
  definitions: ReadonlyMap<string, Definition>
}

export interface PtResult {
  blocks: PtBlock[]
  /** One per block, for linking and claim checks. */
  leaves: TextLeaf[]
  warnings: ImportWarning[]
}

interface Frame {
  style: PtBlock['style']
  listItem?: PtBlock['listItem']
  level?: number
}

interface PendingBlock extends Frame {
  line: number
  inline: PhrasingContent[]
  source: Nodes
}

export function toPortableText(root: Root, ctx: PtContext): PtResult {
  const pending: PendingBlock[] = []
  for (const node of root.children) collectBlocks(node, {style: 'normal'}, pending)
  const result: PtResult = {blocks: [], leaves: [], warnings: []}
  for (const p of pending) {
    const index = result.blocks.length
    const block = toBlock(p, index, ctx, result.warnings)
    if (!block) continue
    result.blocks.push(block)
    const emphasis = collectEmphasis(p.inline)
    result.leaves.push({
      line: p.line + ctx.lineOffset,
      text: plainText(p.source),
      kind: p.source.type,
      ...(p.listItem || p.style === 'blockquote' ? {nested: true} : {}),
      ...(emphasis.length ? {emphasis} : {}),
    })
  }
  return result
}

function collectBlocks(node: RootContent, frame: Frame, out: PendingBlock[]): void {
  const line = node.position?.start.line ?? 1
  // inlineCode keeps its value verbatim (newlines included), which is what literal source text needs.
  const literal = (value: string): PendingBlock => ({
    ...frame,
    line,
    inline: [{type: 'inlineCode', value}],
    source: node,
  })
  switch (node.type) {
    case 'paragraph':
      out.push({...frame, line, inline: node.children, source: node})
      return
    case 'heading':
      out.push({
        ...frame,
        style: node.depth <= 2 ? 'h2' : 'h3',
        line,
        inline: node.children,
        source: node,
      })
      return
    case 'blockquote':
      for (const child of node.children) collectBlocks(child, {...frame, style: 'blockquote'}, out)
      return
    case 'list':
      for (const item of node.children) {
        const itemFrame: Frame = {
          style: frame.style,
          listItem: node.ordered ? 'number' : 'bullet',
          level: (frame.level ?? 0) + 1,
        }
        // A nested list inside an item goes one level deeper: collectBlocks adds 1 to the item's level.
        for (const child of item.children) collectBlocks(child, itemFrame, out)
      }
      return
    case 'code':
    case 'html':
      // Kept as the literal characters of the source (never as markup).
      out.push(literal(node.value))
      return
    case 'table':
      for (const row of node.children) {
        out.push({
          ...frame,
          line: row.position?.start.line ?? line,
          inline: [
            {type: 'inlineCode', value: row.children.map((c) => plainText(c).trim()).join(' | ')},
          ],
          source: row,
        })
      }
      return
    case 'footnoteDefinition':
      for (const child of node.children) collectBlocks(child, frame, out)
      return
    default:
      // thematicBreak, definition, yaml: nothing a reader reads.
      return
  }
}

interface RawSpan {
  text: string
  marks: string[]
}

function toBlock(
  p: PendingBlock,
  index: number,
  ctx: PtContext,
  warnings: ImportWarning[],
): PtBlock | undefined {
  const spans: RawSpan[] = []
  const markDefs: PtLink[] = []
  const warn = (node: Nodes, rule: string, message: string) =>
    warnings.push({
      file: ctx.file,
      line: (node.position?.start.line ?? p.line) + ctx.lineOffset,
      documentId: ctx.docId,
      level: 'warning',
      rule,
      message,
    })

  const walk = (nodes: readonly PhrasingContent[], marks: string[]): void => {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          // Soft line breaks of hard-wrapped sources render as spaces.
          spans.push({text: node.value.replace(/[ \t]*\n[ \t]*/g, ' '), marks})
          break
        case 'inlineCode':
          spans.push({text: node.value, marks})
          break
        case 'break':
          spans.push({text: '\n', marks})
          break
        case 'html':
          spans.push({text: node.value, marks})
          warn(node, 'raw-html', `raw HTML ${quote(node.value)} kept as literal text`)
          break
        case 'strong':
          walk(node.children, [...marks, 'strong'])
          break
        case 'emphasis':
          walk(node.children, [...marks, 'em'])
          break
        case 'delete':
          walk(node.children, marks) // no strike-through decorator in blockContent: keep the words
          break
        case 'link':
        case 'linkReference': {
          const href = node.type === 'link' ? node.url : ctx.definitions.get(node.identifier)?.url
          if (href !== undefined && isSafeUrl(href) && href.trim() !== '') {
            const key = stableKey(ctx.docId, String(index), 'link', String(markDefs.length))
            markDefs.push({_type: 'link', _key: key, href: href.trim()})
            walk(node.children, [...marks, key])
          } else {
            warn(
              node,
              'unsafe-link',
              `link to ${quote(href ?? '(missing)')} dropped: only http, https and mailto links are imported; its text is kept`,
            )
            walk(node.children, marks)
          }
          break
        }
        case 'image':
        case 'imageReference':
          warn(
            node,
            'image-dropped',
            `image ${quote(node.alt ?? '')} dropped: article text has no images`,
          )
          break
        case 'footnoteReference':
          spans.push({text: `[^${node.label ?? node.identifier}]`, marks})
          break
        default:
          spans.push({text: plainText(node as Nodes), marks})
      }
    }
  }
  walk(p.inline, [])
  if (p.source.type === 'html')
    warn(p.source, 'raw-html', `raw HTML block ${quote(p.source.value)} kept as literal text`)

  const merged = mergeSpans(spans)
  if (merged.length === 0) return undefined
  const blockKey = stableKey(ctx.docId, String(index))
  return {
    _type: 'block',
    _key: blockKey,
    style: p.style,
    ...(p.listItem ? {listItem: p.listItem, level: p.level ?? 1} : {}),
    markDefs,
    children: merged.map((s, i) => ({
      _type: 'span',
      _key: stableKey(ctx.docId, String(index), String(i)),
      text: s.text,
      marks: s.marks,
    })),
  }
}

/** Join neighbours with the same marks; trim the block's outer whitespace; drop empty spans. */
function mergeSpans(spans: RawSpan[]): RawSpan[] {
  const out: RawSpan[] = []
  for (const s of spans) {
    const last = out[out.length - 1]
    if (last && last.marks.join('\u0000') === s.marks.join('\u0000')) last.text += s.text
    else out.push({text: s.text, marks: s.marks})
  }
  if (out[0]) out[0].text = out[0].text.replace(/^\s+/, '')
  const tail = out[out.length - 1]
  if (tail) tail.text = tail.text.replace(/\s+$/, '')
  return out.filter((s) => s.text !== '')
}

function collectEmphasis(nodes: readonly PhrasingContent[]): string[] {
  const found: string[] = []
  const visit = (n: Nodes) => {
    if (n.type === 'strong' || n.type === 'emphasis') {
      const text = plainText(n).replace(/\s+/g, ' ').trim()
      if (text) found.push(text)
      return
    }
    if ('children' in n) for (const c of n.children as Nodes[]) visit(c)
  }
  for (const n of nodes) visit(n)
  return found
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return `"${flat.length > 60 ? `${flat.slice(0, 57)}…` : flat}"`
}
