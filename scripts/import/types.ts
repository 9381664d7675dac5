/** Shapes shared by the importer's steps. */
import type {Problem} from '../lib/errors.ts'

/** An editorial note for the report: a Problem (file + line) with a stable rule id for scripts and tests. */
export interface ImportWarning extends Problem {
  /** e.g. `claim:erases`, `contradiction:invasive`, `unsafe-link`, `raw-html`, `heading-format`. */
  rule: string
}

/** A run of text a reader sees (one block: paragraph, heading, list item…) and the source line it starts on. */
export interface TextLeaf {
  line: number
  /** Plain text with the source's line breaks kept, so an offset maps back to a line. */
  text: string
  /** The mdast node the block came from (`paragraph`, `heading`, `html`…); summaries use paragraphs. */
  kind?: string
  /** True inside a list or quote: not a summary candidate. */
  nested?: boolean
  /** Emphasised phrases (strong/em) in this block, for the "unlinked" report. */
  emphasis?: string[]
}
