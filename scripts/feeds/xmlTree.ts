/**
 * A small element tree from a real XML parser (saxes, non-validating, namespace-unaware), for the
 * checks that run before anything is written: well-formedness, required feed elements, and the
 * executable-markup check on the HTML that feed elements carry.
 */
import {SaxesParser} from 'saxes'

export interface XmlElement {
  /** Qualified name as written (`atom:link`). */
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** Concatenated text and CDATA directly inside this element. */
  text: string
  /** 1-based line of the start tag. */
  line: number
}

export class XmlSyntaxError extends Error {
  readonly line: number | undefined
  constructor(message: string, line?: number) {
    super(message)
    this.line = line
  }
}

/** The root element, or an XmlSyntaxError with the line of the first error. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({position: true})
  const stack: XmlElement[] = []
  // Text arrives in chunks (entities split it); join once per element instead of `+=` per chunk.
  const chunks: string[][] = []
  let root: XmlElement | undefined
  let error: XmlSyntaxError | undefined
  parser.on('error', (e) => {
    error ??= new XmlSyntaxError(e.message, parser.line)
  })
  parser.on('opentag', (tag) => {
    const el: XmlElement = {
      name: tag.name,
      attrs: {...(tag.attributes as Record<string, string>)},
      children: [],
      text: '',
      line: parser.line,
    }
    const parent = stack.at(-1)
    if (parent) parent.children.push(el)
    else root = el
    stack.push(el)
    chunks.push([])
  })
  parser.on('closetag', () => {
    const el = stack.pop()
    const text = chunks.pop()
    if (el && text) el.text = text.length === 1 ? text[0]! : text.join('')
  })
  const addText = (t: string) => {
    chunks.at(-1)?.push(t)
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.write(text).close()
  if (error) throw error
  if (!root) throw new XmlSyntaxError('no root element')
  return root
}

/** Depth-first walk of an element and its descendants. */
export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el
  for (const child of el.children) yield* walk(child)
}

export const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name)
export const childrenNamed = (el: XmlElement, name: string) =>
  el.children.filter((c) => c.name === name)
