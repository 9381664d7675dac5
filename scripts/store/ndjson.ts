/**
 * NDJSON in and out, in the shape of `sanity dataset export` / `sanity dataset import`: one
 * document per line. Parsing reports every bad line at once; import is one atomic transaction.
 */
import {InputError, type Problem} from '../lib/errors.ts'
import type {Dataset} from './dataset.ts'
import {idProblem} from './ids.ts'
import {jsonLargerThan, MAX_DEPTH, MAX_DOCUMENT_BYTES, nestsDeeperThan} from './limits.ts'
import type {DocumentInput} from './types.ts'

export interface NdjsonLine {
  doc: DocumentInput
  /** 1-based line number in the file. */
  line: number
}

/** Documents with their line numbers; throws InputError listing every bad line. */
export function parseNdjsonLines(text: string, file: string): NdjsonLine[] {
  const problems: Problem[] = []
  const out: NdjsonLine[] = []
  const firstLine = new Map<string, number>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    if (raw.trim() === '') continue
    const line = i + 1
    const error = (message: string, documentId?: string) => {
      const p: Problem = {file, line, level: 'error', message}
      if (documentId !== undefined) p.documentId = documentId
      problems.push(p)
    }
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (e) {
      error(`not valid JSON: ${(e as Error).message}`)
      continue
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      error('expected a JSON object (one document per line)')
      continue
    }
    const doc = value as Record<string, unknown>
    const id = typeof doc._id === 'string' ? doc._id : undefined
    if (nestsDeeperThan(doc, MAX_DEPTH)) {
      error(`nested more than ${MAX_DEPTH} levels deep`, id)
      continue
    }
    if (mayBeLargerThanStored(raw) && jsonLargerThan(doc, MAX_DOCUMENT_BYTES)) {
      error(`larger than ${MAX_DOCUMENT_BYTES / 1e6} MB, the maximum document size`, id)
      continue
    }
    let bad = false
    if (doc._id === undefined) {
      error('missing _id')
      bad = true
    } else {
      const problem = idProblem(doc._id)
      if (problem) {
        error(`invalid _id ${JSON.stringify(doc._id)}: ${problem}`, id)
        bad = true
      }
    }
    if (typeof doc._type !== 'string' || doc._type === '') {
      error(doc._type === undefined ? 'missing _type' : '_type must be a non-empty string', id)
      bad = true
    }
    if (id !== undefined && !bad) {
      const first = firstLine.get(id)
      if (first !== undefined) {
        error(`duplicate _id "${id}" (first on line ${first})`, id)
        continue
      }
      firstLine.set(id, line)
    }
    if (!bad) out.push({doc: doc as DocumentInput, line})
  }
  if (problems.length > 0) {
    throw new InputError(
      problems,
      `${file}: ${problems.length} bad line(s)\n${problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}`,
    )
  }
  return out
}

/**
 * Whether a line's document may store as more than MAX_DOCUMENT_BYTES: only then is it measured
 * (measuring every line would cost more than parsing it). A character is at most 3 UTF-8 bytes,
 * and re-serializing grows a line at most about 5-fold (`9e20` is stored as 21 digits).
 */
const mayBeLargerThanStored = (line: string): boolean => line.length * 3 * 6 > MAX_DOCUMENT_BYTES

/** Parse NDJSON text; InputError lists every bad line (line numbers, 1-based). */
export function parseNdjson(text: string, file: string): DocumentInput[] {
  return parseNdjsonLines(text, file).map((l) => l.doc)
}

export interface ImportNdjsonOptions {
  /** Shown in problems (file:line). */
  file: string
  /** Overwrite existing documents whose content differs; without it they are errors. */
  replace?: boolean
  /** Recorded in the transaction log (default `import:<file>`). */
  author?: string
}

/**
 * Import NDJSON in one atomic transaction. Like `sanity dataset import`, an existing document
 * with different content is an error unless `replace` is set; identical ones count as
 * unchanged, so re-running an import writes nothing.
 */
export function importNdjson(
  ds: Dataset,
  text: string,
  opts: ImportNdjsonOptions,
): {created: number; updated: number; unchanged: number} {
  const lines = parseNdjsonLines(text, opts.file)
  const result = ds.importDocuments(
    lines.map((l) => l.doc),
    {replace: opts.replace ?? false, author: opts.author ?? `import:${opts.file}`},
  )
  if (result.conflicts.length > 0) {
    const lineOf = new Map(lines.map((l) => [l.doc._id, l.line]))
    throw new InputError(
      result.conflicts.map((id) => ({
        file: opts.file,
        line: lineOf.get(id),
        documentId: id,
        level: 'error',
        message:
          'a document with this _id already exists with different content (use --replace to overwrite)',
      })),
    )
  }
  return {created: result.created, updated: result.updated, unchanged: result.unchanged}
}

/** Every document, one JSON object per line, sorted by _id, newline-terminated. */
export function exportNdjson(ds: Dataset): string {
  // Stored rows are already JSON.stringify(document): no parse/stringify round trip needed.
  const lines = ds.documentLines()
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}
