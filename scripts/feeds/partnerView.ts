/**
 * One partner's view of the model: only the page types it takes, only content whose review is
 * current when it asks for reviewed content (an expired review no longer counts), only the fields it may receive, and links back to the web frontend through its
 * base URL with its UTM parameters. A new model; the shared one is never changed.
 */
import {newestPages} from './limits.ts'
import {comparePages} from './order.ts'
import {PARTNER_FIELD_OF, type PartnerProfile, type PartnerView} from './outputs/partnerProfile.ts'
import {partnerFields} from './partners.ts'
import {
  isCurrentlyReviewed,
  RELATED_KEYS,
  type FeedModel,
  type Page,
  type PageLink,
  type PageType,
  type Related,
} from './types.ts'
import {pagePath, withUtm} from './urls.ts'

/** Types whose pages carry medical review; the others (taxonomy) have none to check. */
const REVIEWABLE: ReadonlySet<PageType> = new Set(['article', 'benefit'])

/** The pages a partner may receive (types, reviewedOnly), in model order, before any item limit. */
export function eligiblePages(model: FeedModel, profile: PartnerProfile): Page[] {
  const types = new Set(profile.types)
  return model.pages.filter(
    (p) => types.has(p.type) && (!profile.reviewedOnly || isCurrentlyReviewed(p.review)),
  )
}

/**
 * `limit`: only the newest N eligible pages become items (still in model order); links may point
 * to any eligible page, so the limit never changes what a link may say. `linkTargets`: pages that
 * links may point at but that are not candidates for items (an incremental export passes the
 * pages its items link to; a full model has them all in `pages`).
 */
export function partnerView(
  model: FeedModel,
  profile: PartnerProfile,
  opts: {limit?: number; linkTargets?: readonly Page[]} = {},
): PartnerView {
  const fields = partnerFields(profile)
  const base = profile.baseUrl?.replace(/\/+$/, '') ?? model.site.baseUrl
  const link = (path: string) => withUtm(`${base}${path}`, profile.utm)
  const eligible = eligiblePages(model, profile)
  const selected =
    opts.limit === undefined ? eligible : newestPages(eligible, opts.limit).sort(comparePages)
  // Under reviewedOnly, even a link's title must not leak unreviewed articles or benefits.
  let selectedIds: Set<string> | undefined
  const linkable = (l: PageLink) => {
    if (!profile.reviewedOnly || !REVIEWABLE.has(l.type)) return true
    if (!selectedIds) {
      selectedIds = new Set(eligible.map((p) => p.id))
      for (const p of eligiblePages({...model, pages: [...(opts.linkTargets ?? [])]}, profile))
        selectedIds.add(p.id)
    }
    return selectedIds.has(l.id)
  }
  // A page's path is pagePath(type, slug) (model.ts), so a link's is too.
  const relink = (l: PageLink): PageLink => ({...l, link: link(pagePath(l.type, l.slug))})

  // Page fields of excluded groups (related links are kept as empty lists: links are filtered above).
  const dropped = (Object.keys(PARTNER_FIELD_OF) as Array<keyof typeof PARTNER_FIELD_OF>).filter(
    (key) => key !== 'related' && !fields.has(PARTNER_FIELD_OF[key]!),
  )
  const pages = selected.map((p): Page => {
    const related = {} as Related
    for (const key of RELATED_KEYS)
      related[key] = fields.has('related') ? p.related[key].filter(linkable).map(relink) : []
    const out: Page = {...p, seo: {...p.seo}, link: link(p.path), related}
    for (const key of dropped) delete out[key]
    // The meta description usually is the summary, or the start of the body.
    if (!fields.has('summary')) delete out.seo.description
    if (!fields.has('body') && out.seo.description && out.seo.description !== p.summary)
      delete out.seo.description
    return out
  })

  return {
    profile,
    fields,
    model: {
      site: {...model.site, baseUrl: base, home: link('/'), attribution: profile.attribution},
      generatedAt: model.generatedAt,
      pages,
    },
  }
}
