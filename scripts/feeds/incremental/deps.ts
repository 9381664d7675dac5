/**
 * Which pages a document change can alter, and which documents are needed to rebuild those pages
 * exactly. Pure: the dataset's state comes in through GraphState (evaluated once as it was at the
 * last export and once as it is now; a page is affected if it is affected in either).
 *
 * What a page shows of other documents (see model.ts and relations.ts):
 * - its related links: forward references (article → benefits, treatment; benefit → concerns,
 *   skin types, adjuncts), their reverse, and the derived ones (benefit ↔ treatment through an
 *   article, taxonomy ↔ treatment through a benefit), each link being the target's title, slug,
 *   URL and kind, sorted by the target's place in the page order (which for a benefit includes
 *   its position in the first article listing it);
 * - a benefit's position and publication date, from every article listing it (the position is
 *   the index among the article's references that resolve, so any document listed changes it);
 * - its reviewer (a person);
 * - a benefit's or treatment's cautions: each target's title and URL (one way: the targets' pages
 *   do not list them), and which positive links they contraindicate.
 */
import type {DocRefs} from './refs.ts'

export interface GraphState {
  /** The published document's _type, undefined when it does not exist. */
  typeOf(id: string): string | undefined
  refsOf(id: string): DocRefs
  /** Published documents whose references (any of DocRefs) include `id`. */
  referrers(id: string): readonly string[]
  /** A hint: these documents are about to be asked about (a state may read them in one go). */
  prefetch?(ids: Iterable<string>): void
}

const TAXONOMY = new Set(['concern', 'skinType', 'serum'])

const articlesListing = (g: GraphState, id: string) =>
  g
    .referrers(id)
    .filter((a) => g.typeOf(a) === 'article' && (g.refsOf(a).benefits ?? []).includes(id))
const articlesOfTreatment = (g: GraphState, id: string) =>
  g
    .referrers(id)
    .filter((a) => g.typeOf(a) === 'article' && (g.refsOf(a).treatment ?? []).includes(id))
const benefitsLinking = (g: GraphState, id: string) =>
  g.referrers(id).filter((b) => {
    if (g.typeOf(b) !== 'benefit') return false
    const r = g.refsOf(b)
    return (
      (r.concerns ?? []).includes(id) ||
      (r.skinTypes ?? []).includes(id) ||
      (r.serums ?? []).includes(id)
    )
  })
const cautionedBy = (g: GraphState, id: string) =>
  g.referrers(id).filter((d) => (g.refsOf(d).cautions ?? []).includes(id))
const reviewedBy = (g: GraphState, id: string) =>
  g.referrers(id).filter((d) => (g.refsOf(d).reviewer ?? []).includes(id))
const taxonomyOf = (g: GraphState, id: string): string[] => {
  const r = g.refsOf(id)
  return [...(r.concerns ?? []), ...(r.skinTypes ?? []), ...(r.serums ?? [])]
}

/**
 * Add to `into` every page whose output can change when document `id` changes, in state `g`.
 * `kept`: the document exists, with the same type, before and after the change. Then the
 * articles listing it keep their positions (a position counts the listed documents that exist),
 * so their other benefits are not affected; only the article and its treatments show the change.
 */
export function addAffected(
  g: GraphState,
  id: string,
  into: Set<string>,
  opts: {kept?: boolean} = {},
): void {
  into.add(id)
  /** An article and its treatments; with `siblings`, every benefit it lists and what their positions reach. */
  const article = (a: string, siblings = true) => {
    into.add(a)
    const r = g.refsOf(a)
    for (const t of r.treatment ?? []) into.add(t)
    if (!siblings) return
    for (const b of r.benefits ?? []) {
      into.add(b)
      for (const x of taxonomyOf(g, b)) into.add(x)
      // b's position orders the related benefits of every treatment that reaches it.
      for (const other of articlesListing(g, b))
        for (const t of g.refsOf(other).treatment ?? []) into.add(t)
    }
  }
  // Whatever an article lists as a benefit decides that article's positions (and its cards).
  for (const a of articlesListing(g, id)) article(a, !opts.kept)
  const type = g.typeOf(id)
  if (type === 'article') article(id)
  else if (type === 'benefit') for (const x of taxonomyOf(g, id)) into.add(x)
  else if (type !== undefined && TAXONOMY.has(type)) {
    for (const b of benefitsLinking(g, id)) {
      into.add(b)
      for (const a of articlesListing(g, b))
        for (const t of g.refsOf(a).treatment ?? []) into.add(t)
    }
  } else if (type === 'treatment') {
    for (const a of articlesOfTreatment(g, id)) {
      into.add(a)
      for (const b of g.refsOf(a).benefits ?? []) {
        into.add(b)
        for (const x of taxonomyOf(g, b)) into.add(x)
      }
    }
  } else if (type === 'person') for (const d of reviewedBy(g, id)) into.add(d)
  // A caution shows its target's title and URL: whoever names `id` in a caution shows the change.
  for (const d of cautionedBy(g, id)) into.add(d)
}

/**
 * The documents the feed model must see to build each of `targets` exactly as a full export
 * would: the page, everything its related links, position and dates come from, and the
 * reviewers of all of them (partner views decide links by review status).
 */
export function contextOf(g: GraphState, targets: Iterable<string>): Set<string> {
  const ctx = new Set<string>()
  const add = (id: string) => ctx.add(id)
  const articleWithList = (a: string) => {
    add(a)
    const r = g.refsOf(a)
    r.benefits?.forEach(add)
    r.treatment?.forEach(add)
  }
  const positioned = (b: string) => {
    add(b)
    for (const a of articlesListing(g, b)) articleWithList(a)
  }
  for (const p of targets) {
    add(p)
    const type = g.typeOf(p)
    g.refsOf(p).cautions?.forEach(add)
    if (type === 'article') articleWithList(p)
    else if (type === 'benefit') {
      positioned(p)
      taxonomyOf(g, p).forEach(add)
    } else if (type !== undefined && TAXONOMY.has(type)) {
      for (const b of benefitsLinking(g, p)) positioned(b)
    } else if (type === 'treatment') {
      for (const a of articlesOfTreatment(g, p)) {
        articleWithList(a)
        for (const b of g.refsOf(a).benefits ?? []) {
          positioned(b)
          taxonomyOf(g, b).forEach(add)
        }
      }
    }
  }
  g.prefetch?.(ctx)
  for (const id of [...ctx]) g.refsOf(id).reviewer?.forEach(add)
  return ctx
}
