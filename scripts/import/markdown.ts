/**
 * Markdown → mdast with remark (CommonMark + GFM), plus the plain-text view the linker and the
 * claim checks read. Plain sources are parsed as Markdown too: a plain paragraph is a paragraph.
 */
import type {Definition, Nodes, Root} from 'mdast'
import remarkGfm from 'remark-gfm'
import remarkParse from 'remark-parse'
import {unified} from 'unified'

const processor = unified().use(remarkParse).use(remarkGfm)

export function parseMarkdown(text: string): Root {
  return processor.parse(text)
}

/**
 * Text a reader sees, line breaks kept (so an offset maps back to a source line): block children
 * are joined with a newline, hard breaks become newlines, images contribute nothing.
 */
export function plainText(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'html':
    case 'code':
      return node.value
    case 'break':
      return '\n'
    case 'image':
    case 'imageReference':
    case 'definition':
    case 'thematicBreak':
      return ''
    default:
      break
  }
  if (!('children' in node)) return ''
  const parts = (node.children as Nodes[]).map(plainText)
  return isBlockContainer(node) ? parts.filter(Boolean).join('\n') : parts.join('')
}

function isBlockContainer(node: Nodes): boolean {
  return [
    'root',
    'blockquote',
    'list',
    'listItem',
    'table',
    'tableRow',
    'footnoteDefinition',
  ].includes(node.type)
}

/** Link reference definitions (`[id]: https://…`) of a whole document, by normalised identifier. */
export function collectDefinitions(root: Root): Map<string, Definition> {
  const found = new Map<string, Definition>()
  const visit = (node: Nodes): void => {
    if (node.type === 'definition' && !found.has(node.identifier)) found.set(node.identifier, node)
    if ('children' in node) for (const child of node.children as Nodes[]) visit(child)
  }
  visit(root)
  return found
}
