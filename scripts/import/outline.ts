/**
 * Finds the article's structure in a parsed source: an optional `# Title`, the intro, and the
 * numbered sections. Headings are found on the mdast (so code blocks and quotes are never mistaken
 * for headings) and mapped back to source lines through node positions; each section's body is
 * then the source text between two headings, which the caller parses on its own. That copes with
 * every way the same listicle arrives: `1. Title` (which remark reads as an ordered list!),
 * `1) Title`, `8.. Title`, `## 1. Title`, `**1. Title**`, a body glued to its heading line.
 */
import type {List, ListItem, Paragraph, Root, RootContent} from 'mdast'
import {InputError, type Problem} from '../lib/errors.ts'
import {plainText} from './markdown.ts'
import {looksLikeTitle, parseNumberedTitle} from './numbering.ts'
import type {SourceText} from './source.ts'
import {isTitleLine, slugify} from './text.ts'
import type {ImportWarning} from './types.ts'

export interface SectionHeading {
  number: number
  title: string
  /** 1-based source lines of the heading. */
  line: number
  endLine: number
  marker: string
  wellFormed: boolean
  /** How the heading was written: a Markdown heading, a line of a paragraph, an ordered-list item, or a line swallowed by unclosed raw HTML/code. */
  via: 'heading' | 'paragraph' | 'list' | 'raw'
  depth?: number
  /** For list items: the item's last line and the indent its continuation lines carry. */
  itemEnd?: number
  itemIndent?: number
}

export interface Section {
  number: number
  title: string
  line: number
  /** First source line of the body text. */
  bodyLine: number
  /** Source text of the body (list-item indentation removed), to be parsed on its own. */
  body: string
}

export interface Outline {
  /** The `# Title` before the first section, else a first line that reads as a title (titleLine). */
  title?: {text: string; line: number}
  /** Source text before the first section (the title line blanked), starting at line 1. */
  intro?: string
  sections: Section[]
  warnings: ImportWarning[]
}

interface UnnumberedHeading {
  line: number
  endLine: number
  depth: number
  text: string
}

/** Split a source into title, intro and sections; throws InputError listing every structural problem. */
export function outline(source: SourceText, root: Root): Outline {
  const {file, lines} = source
  const unnumbered: UnnumberedHeading[] = []
  const headings: SectionHeading[] = []
  for (const node of root.children) collectHeadings(node, lines, headings, unnumbered)
  headings.sort((a, b) => a.line - b.line)

  const problems: Problem[] = []
  if (headings.length === 0) {
    problems.push({
      file,
      line: 1,
      level: 'error',
      message:
        'no numbered sections found: expected section headings like "1. Title", "1) Title" or "## 1. Title"',
    })
    throw new InputError(problems)
  }
  problems.push(...numberingProblems(file, headings))

  const first = headings[0]!
  const titleHeading =
    unnumbered.find((h) => h.depth === 1 && h.line < first.line) ?? titleLine(root, first.line)
  const sections = headings.map((h, i) =>
    toSection(h, headings[i + 1]?.line ?? lines.length + 1, lines),
  )
  for (const s of sections) {
    if (s.body.trim() === '') {
      problems.push({
        file,
        line: s.line,
        level: 'error',
        message: `section ${s.number} "${s.title}" has no body text`,
      })
    }
  }
  problems.push(...duplicateTitleProblems(file, sections))
  if (problems.length) throw new InputError(problems)

  // The title's lines are blanked rather than removed, so intro line numbers stay source line numbers.
  const isTitleLine = (line: number) =>
    titleHeading !== undefined && line >= titleHeading.line && line <= titleHeading.endLine
  const introLines = lines.slice(0, first.line - 1).map((l, i) => (isTitleLine(i + 1) ? '' : l))
  const intro = introLines.join('\n')
  return {
    ...(titleHeading ? {title: {text: titleHeading.text, line: titleHeading.line}} : {}),
    ...(intro.trim() ? {intro} : {}),
    sections,
    warnings: [
      ...markerWarnings(file, headings),
      ...trailingHeadingWarnings(file, headings, unnumbered),
    ],
  }
}

/**
 * A title written as a plain first line ("10 Benefits of Microneedling", then a blank line): the
 * source's first block, a paragraph of exactly one line before the first section, that reads as
 * a title (isTitleLine: short, not a sentence). A first line followed directly by more text is
 * the intro's first line; lists, quotes, code and HTML are never titles.
 */
function titleLine(root: Root, firstSection: number): Omit<UnnumberedHeading, 'depth'> | undefined {
  const node = root.children.find((n) => n.position !== undefined)
  const line = node?.position?.start.line
  if (node?.type !== 'paragraph' || line === undefined) return undefined
  if (line >= firstSection || node.position!.end.line !== line) return undefined
  const text = plainText(node).replace(/\s+/g, ' ').trim()
  return isTitleLine(text) ? {line, endLine: line, text} : undefined
}

function collectHeadings(
  node: RootContent,
  lines: string[],
  out: SectionHeading[],
  unnumbered: UnnumberedHeading[],
): void {
  const start = node.position?.start.line
  const end = node.position?.end.line
  if (start === undefined || end === undefined) return
  switch (node.type) {
    case 'heading': {
      const text = plainText(node).replace(/\s+/g, ' ').trim()
      const n = parseNumberedTitle(text)
      if (n) out.push({...n, line: start, endLine: end, via: 'heading', depth: node.depth})
      else unnumbered.push({line: start, endLine: end, depth: node.depth, text})
      return
    }
    case 'paragraph':
      out.push(...paragraphHeadings(node, lines, 0))
      return
    case 'list':
      if (node.ordered)
        for (const run of numberRuns(node, lines))
          if (isHeadingRun(run, node.spread === true, highestNumber(out)))
            out.push(...listHeadings(run, lines))
      return
    case 'html':
    case 'code':
      // An unclosed <script>/<pre>/comment or ``` fence runs to the end of the document in
      // CommonMark and would swallow the remaining sections: look for headings inside it.
      if (isRunaway(node, lines, start, end)) out.push(...rawHeadings(lines, start, end))
      return
    default:
      return
  }
}

/**
 * Numbered lines of a paragraph, from line `from` on. A numbered line inside a paragraph is a
 * heading whose blank line was forgotten: "…body text.\n2. Next" stays one paragraph in
 * CommonMark (only a list starting at 1 may interrupt a paragraph).
 */
function paragraphHeadings(node: Paragraph, lines: string[], from: number): SectionHeading[] {
  const start = node.position!.start.line
  const end = node.position!.end.line
  const plain = plainText(node).split('\n')
  const aligned = plain.length === end - start + 1
  const found: SectionHeading[] = []
  for (let i = from; i <= end - start; i++) {
    const text = aligned ? plain[i]! : stripInlineWrappers(lines[start - 1 + i] ?? '')
    const n = parseNumberedTitle(text)
    // Mid-paragraph, only a capitalised title counts: a wrapped sentence may start a line with "10. patients".
    if (n && (i === 0 || /^["'“‘(]?\p{Lu}/u.test(n.title)))
      found.push({...n, line: start + i, endLine: start + i, via: 'paragraph'})
  }
  return found
}

const highestNumber = (found: readonly SectionHeading[]) =>
  Math.max(0, ...found.map((h) => h.number))

interface NumberedItem {
  item: ListItem
  /** The number written in the source (remark keeps only the list's start number). */
  number: number
  marker: string
}

/**
 * Split an ordered list where its written numbers stop counting up: "1. Cleanse 2. Numb
 * 3. Needle" followed by "2. Two Things" after a blank line is one list to CommonMark, but two
 * things to the author. Repeated numbers ("1. 1. 1.", Markdown's lazy numbering) stay together.
 */
function numberRuns(list: List, lines: string[]): NumberedItem[][] {
  const runs: NumberedItem[][] = []
  for (const item of list.children) {
    const m = /^\s*(\d{1,9})([.)])/.exec(lines[item.position!.start.line - 1] ?? '')
    if (!m) return []
    const current = {item, number: Number(m[1]), marker: m[2]!}
    const run = runs[runs.length - 1]
    const previous = run?.[run.length - 1]
    if (
      run &&
      previous &&
      (current.number === previous.number + 1 || current.number === previous.number)
    )
      run.push(current)
    else runs.push([current])
  }
  return runs
}

/**
 * A run of list items is a run of section headings when its items read like titles and
 * - it is one item (the body follows as paragraphs), or
 * - its items carry their own body text, or
 * - it moves the section numbering on, with blank lines between items ("2. Second\n\n3. Third":
 *   a section without a body, which is then reported, rather than a list swallowed into a body).
 * One-line items that restart the numbering ("1. Cleanse 2. Numb 3. Needle" in a body) are content.
 */
function isHeadingRun(run: NumberedItem[], spread: boolean, highest: number): boolean {
  let hasBody = false
  for (const {item} of run) {
    const first = item.children[0]
    if (first?.type !== 'paragraph') return false
    const firstLines = plainText(first).split('\n')
    if (!looksLikeTitle(firstLines[0]!)) return false
    if (firstLines.length > 1 || item.children.length > 1) hasBody = true
  }
  const movesOn = run[0]!.number > highest && (highest > 0 || spread)
  return run.length === 1 || hasBody || movesOn
}

function listHeadings(run: NumberedItem[], lines: string[]): SectionHeading[] {
  return run.flatMap(({item, number, marker}): SectionHeading[] => {
    const para = item.children[0] as Paragraph
    const line = para.position!.start.line
    // Later items may hide in this one's lazy continuation lines ("…robust.\n8.. Next").
    const hidden = item.children.flatMap((child, i) =>
      child.type === 'paragraph' ? paragraphHeadings(child, lines, i === 0 ? 1 : 0) : [],
    )
    return [
      ...hidden,
      {
        number,
        title: plainText(para).split('\n')[0]!.trim(),
        marker,
        wellFormed: true,
        line,
        endLine: line,
        via: 'list',
        itemEnd: item.position!.end.line,
        itemIndent: para.position!.start.column - 1,
      },
    ]
  })
}

function isRunaway(
  node: {type: 'html' | 'code'; value: string},
  lines: string[],
  start: number,
  end: number,
): boolean {
  if (node.type === 'code') {
    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(lines[start - 1] ?? '')
    if (!fence) return false // indented code ends at the first unindented line: it cannot run away
    const closing = new RegExp(`^\\s{0,3}${fence[1]![0]}{${fence[1]!.length},}\\s*$`)
    return end === start || !closing.test(lines[end - 1] ?? '')
  }
  const tag = /^\s{0,3}<(script|pre|style|textarea)\b/i.exec(node.value)
  if (tag) return !new RegExp(`</${tag[1]}>`, 'i').test(node.value)
  return /^\s{0,3}<!--/.test(node.value) && !node.value.includes('-->')
}

function rawHeadings(lines: string[], start: number, end: number): SectionHeading[] {
  const found: SectionHeading[] = []
  for (let line = start + 1; line <= end; line++) {
    if ((lines[line - 2] ?? '').trim() !== '') continue
    const raw = lines[line - 1] ?? ''
    const n = parseNumberedTitle(stripInlineWrappers(raw.replace(/^\s{0,3}#{1,6}\s+/, '')))
    if (n) found.push({...n, line, endLine: line, via: 'raw'})
  }
  return found
}

/** `**1. Title**` → `1. Title` (only when the source line itself is the fallback). */
function stripInlineWrappers(raw: string): string {
  return raw
    .trim()
    .replace(/^[*_]{1,3}(?=\S)/, '')
    .replace(/(?<=\S)[*_]{1,3}$/, '')
}

function toSection(h: SectionHeading, nextLine: number, lines: string[]): Section {
  const bodyLine = h.endLine + 1
  const body = lines.slice(bodyLine - 1, nextLine - 1).map((text, i) => {
    const line = bodyLine + i
    if (h.itemEnd === undefined || line > h.itemEnd || !h.itemIndent) return text
    // Continuation lines of a list item are indented under its text; without the indent they parse as paragraphs.
    return text.replace(new RegExp(`^ {0,${h.itemIndent}}`), '')
  })
  return {number: h.number, title: h.title, line: h.line, bodyLine, body: body.join('\n')}
}

function numberingProblems(file: string, headings: SectionHeading[]): Problem[] {
  const problems: Problem[] = []
  const seen = new Map<number, number>()
  let previous: SectionHeading | undefined
  let highest = 0
  for (const h of headings) {
    const error = (message: string) => problems.push({file, line: h.line, level: 'error', message})
    const firstAt = seen.get(h.number)
    if (firstAt !== undefined) {
      error(`section number ${h.number} is used twice ("${h.title}"; first at line ${firstAt})`)
    } else if (previous === undefined && h.number !== 1) {
      error(`numbering starts at ${h.number}; expected section 1 first`)
    } else if (h.number > highest + 1) {
      const missing =
        h.number - 1 === highest + 1 ? `${highest + 1} is` : `${highest + 1}–${h.number - 1} are`
      error(
        `section ${missing} missing: section ${highest} (line ${previous?.line}) is followed by section ${h.number}`,
      )
    } else if (h.number < highest) {
      error(`section ${h.number} is out of order: it comes after section ${highest}`)
    }
    if (firstAt === undefined) seen.set(h.number, h.line)
    highest = Math.max(highest, h.number)
    previous = h
  }
  return problems
}

function duplicateTitleProblems(file: string, sections: Section[]): Problem[] {
  const bySlug = new Map<string, Section>()
  const problems: Problem[] = []
  for (const s of sections) {
    const slug = slugify(s.title)
    const earlier = bySlug.get(slug)
    if (slug === '') {
      problems.push({
        file,
        line: s.line,
        level: 'error',
        message: `section ${s.number} title "${s.title}" has no letters or digits to make a slug from`,
      })
    } else if (earlier) {
      problems.push({
        file,
        line: s.line,
        level: 'error',
        message: `section ${s.number} "${s.title}" has the same title as section ${earlier.number} (line ${earlier.line}); benefit titles must differ`,
      })
    } else bySlug.set(slug, s)
  }
  return problems
}

function markerWarnings(file: string, headings: SectionHeading[]): ImportWarning[] {
  return headings
    .filter((h) => !h.wellFormed)
    .map((h) => ({
      file,
      line: h.line,
      level: 'warning' as const,
      rule: 'heading-format',
      message: `section heading "${h.number}${h.marker} ${h.title}" has an unusual number marker "${h.marker}"; imported as section ${h.number} "${h.title}"`,
    }))
}

/** An unnumbered heading at section level after the sections started (e.g. "## Conclusion") ends up in the last section's body. */
function trailingHeadingWarnings(
  file: string,
  headings: SectionHeading[],
  unnumbered: UnnumberedHeading[],
): ImportWarning[] {
  const depths = headings.filter((h) => h.via === 'heading').map((h) => h.depth!)
  if (depths.length === 0) return []
  const sectionDepth = Math.min(...depths)
  const first = headings[0]!.line
  return unnumbered
    .filter((u) => u.line > first && u.depth <= sectionDepth)
    .map((u) => {
      const owner = [...headings].reverse().find((h) => h.line < u.line)!
      return {
        file,
        line: u.line,
        level: 'warning' as const,
        rule: 'unnumbered-heading',
        message: `heading "${u.text}" is not numbered; imported as a subheading inside section ${owner.number} "${owner.title}"`,
      }
    })
}
