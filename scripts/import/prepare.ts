/** Source bytes → a checked outline, before any dataset is involved. Throws InputError on bad input. */
import type {Root} from 'mdast'
import {parseMarkdown} from './markdown.ts'
import {outline, type Outline} from './outline.ts'
import {decodeSource, type SourceText} from './source.ts'

export interface PreparedSource {
  source: SourceText
  root: Root
  outline: Outline
}

export function prepareSource(bytes: Uint8Array, file: string): PreparedSource {
  const source = decodeSource(bytes, file)
  const root = parseMarkdown(source.text)
  return {source, root, outline: outline(source, root)}
}
