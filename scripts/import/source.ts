/**
 * Source bytes → normalised text. Editors save sources from Word, Google Docs and Windows
 * editors, so the same article can arrive with a BOM, CRLF line endings or trailing spaces; we
 * normalise those away so the checksum (and therefore "did the source change?") depends only on
 * the words. Anything that is not UTF-8 text is refused with the line it goes wrong on.
 */
import {basename, extname} from 'node:path'
import {InputError, type Problem} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import {shapeProblems, sizeProblems} from './limits.ts'

export type SourceFormat = 'text' | 'markdown'

export interface SourceText {
  /** Path as the caller gave it (used in messages). */
  file: string
  /** Normalised text: LF line endings, no BOM, no trailing spaces, exactly one final newline. */
  text: string
  /** `text` split into lines; `lines[n - 1]` is line n. */
  lines: string[]
  /** `sha256:<hex>` of `text`. */
  checksum: string
  format: SourceFormat
}

const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown', '.mdown', '.mkd'])

export function sourceFormat(file: string): SourceFormat {
  return MARKDOWN_EXTENSIONS.has(extname(file).toLowerCase()) ? 'markdown' : 'text'
}

/** Decode and normalise a source file; throws InputError (with the line) for empty or binary input. */
export function decodeSource(bytes: Uint8Array, file: string): SourceText {
  // Too big first: no need to scan 50 MB for control characters to refuse it.
  const tooBig = sizeProblems(bytes.byteLength, file)
  if (tooBig.length) throw new InputError(tooBig)
  const problems = binaryProblems(bytes, file)
  if (problems.length) throw new InputError(problems)
  let text = new TextDecoder('utf-8').decode(bytes) // TextDecoder strips a UTF-8 BOM by default
  text = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '')
  if (text.trim() === '')
    throw new InputError([
      {file, line: 1, level: 'error', message: 'file is empty (no text to import)'},
    ])
  text += '\n'
  const lines = text.slice(0, -1).split('\n')
  // Shapes that make the Markdown parser hang or overflow its stack: refused before parsing.
  const shape = shapeProblems(lines, file)
  if (shape.length) throw new InputError(shape)
  return {file, text, lines, checksum: `sha256:${sha256(text)}`, format: sourceFormat(file)}
}

/** NUL bytes, stray control characters and invalid UTF-8 mean "not a text file". */
function binaryProblems(bytes: Uint8Array, file: string): Problem[] {
  const at = (offset: number, message: string): Problem[] => [
    {file, line: lineOf(bytes, offset), level: 'error', message},
  ]
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return at(0, `${basename(file)} is UTF-16 encoded; save it as UTF-8`)
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    // Tab, LF, VT, FF and CR occur in text files; other C0 controls (NUL above all) mean binary data.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d) {
      return at(
        i,
        `binary data (byte 0x${b.toString(16).padStart(2, '0')} at offset ${i}); expected a UTF-8 text file`,
      )
    }
  }
  const bad = firstInvalidUtf8(bytes)
  if (bad >= 0)
    return at(
      bad,
      `invalid UTF-8 (byte 0x${bytes[bad]!.toString(16)} at offset ${bad}); expected a UTF-8 text file`,
    )
  return []
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++
  return line
}

/** Offset of the first byte that breaks UTF-8 (overlongs and surrogates included), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    let cp = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}
