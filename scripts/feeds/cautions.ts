/**
 * Who a benefit or treatment is not for, resolved for the page model: each caution's target as a
 * page (title, URL) or a contraindication (title, description), kept apart from the related links.
 * A target that is both a positive link and contraindicated is shown as contraindicated only: a
 * caution must never read as "good for", whatever else the document says.
 */
import type {Problem} from '../lib/errors.ts'
import {isDraftId} from '../store/ids.ts'
import type {FeedInput} from './input.ts'
import {cleanLine, cleanText} from './text.ts'
import type {Page} from './types.ts'

export type Caution = NonNullable<Page['cautions']>[number]
type Raw = Record<string, unknown>

const KINDS = new Set(['caution', 'contraindicated'])

/** The `cautions[]{kind, advice, "target": target->_id}` projection, checked; unusable ones reported. */
export function readCautions(
  raw: unknown,
  documentId: string,
  problems: Problem[],
): Array<{kind: Caution['kind']; target: string; advice?: string}> {
  if (!Array.isArray(raw)) return []
  const out: Array<{kind: Caution['kind']; target: string; advice?: string}> = []
  raw.forEach((item: unknown, i) => {
    const c = (item && typeof item === 'object' ? item : {}) as Raw
    // A dangling or draft-only target resolves to null, like a related link: dropped quietly.
    if (typeof c.target !== 'string' || isDraftId(c.target)) return
    if (typeof c.kind !== 'string' || !KINDS.has(c.kind)) {
      problems.push({
        level: 'warning',
        documentId,
        path: `cautions[${i}].kind`,
        message: `caution kind ${JSON.stringify(c.kind)} is neither caution nor contraindicated; left out`,
      })
      return
    }
    const advice = cleanLine(c.advice)
    out.push({kind: c.kind as Caution['kind'], target: c.target, ...(advice ? {advice} : {})})
  })
  return out
}

/** Contraindication documents by id, as cautions show them. */
export function contraindicationsById(input: FeedInput): Map<string, Caution['about']> {
  const byId = new Map<string, Caution['about']>()
  for (const raw of input.contraindications) {
    const title = cleanLine(raw.title)
    if (!title || isDraftId(raw._id)) continue
    const description = cleanText(raw.description)
    byId.set(raw._id, {
      id: raw._id,
      type: 'contraindication',
      title,
      ...(description ? {description} : {}),
    })
  }
  return byId
}

/** The page's cautions with their targets resolved (unresolvable ones dropped), in document order. */
export function resolveCautions(
  cautions: ReadonlyArray<{kind: Caution['kind']; target: string; advice?: string}>,
  pages: ReadonlyMap<string, Page>,
  conditions: ReadonlyMap<string, Caution['about']>,
): Caution[] {
  const out: Caution[] = []
  for (const c of cautions) {
    const page = pages.get(c.target)
    const about: Caution['about'] | undefined = page
      ? {id: page.id, type: page.type, title: page.title, url: page.url}
      : conditions.get(c.target)
    if (about) out.push({kind: c.kind, about, ...(c.advice ? {advice: c.advice} : {})})
  }
  return out
}

/** Ids a page's cautions mark contraindicated: never linked from it as "good for". */
export const contraindicatedIds = (
  cautions: ReadonlyArray<{kind: Caution['kind']; target: string}>,
): Set<string> => new Set(cautions.filter((c) => c.kind === 'contraindicated').map((c) => c.target))
