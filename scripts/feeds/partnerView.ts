/**
 * One partner's view of the model: only the page types it takes, only reviewed content when it
 * asks for that, only the fields it may receive, and links back to the web frontend through its
 * base URL with its UTM parameters. A new model; the shared one is never changed.
 */
import {partnerFields, type OptionalField, type PartnerProfile} from './partners.ts'
import {isReviewed, RELATED_KEYS, type FeedModel, type Page, type PageLink, type PageType, type Related} from './types.ts'
import {withUtm} from './urls.ts'

/** Types whose pages carry medical review; the others (taxonomy) have none to check. */
const REVIEWABLE: ReadonlySet<PageType> = new Set(['article', 'benefit'])

export interface PartnerView {
  profile: PartnerProfile
  fields: Set<OptionalField>
  model: FeedModel
}

export function partnerView(model: FeedModel, profile: PartnerProfile): PartnerView {
  const fields = partnerFields(profile)
  const base = profile.baseUrl?.replace(/\/+$/, '') ?? model.site.baseUrl
  const link = (path: string) => withUtm(`${base}${path}`, profile.utm)
  const types = new Set(profile.types)
  const selected = model.pages.filter((p) => types.has(p.type) && (!profile.reviewedOnly || isReviewed(p.review)))
  const selectedIds = new Set(selected.map((p) => p.id))
  const pathOf = new Map(model.pages.map((p) => [p.id, p.path]))
  // Under reviewedOnly, even a link's title must not leak unreviewed articles or benefits.
  const linkable = (l: PageLink) => !profile.reviewedOnly || !REVIEWABLE.has(l.type) || selectedIds.has(l.id)
  const relink = (l: PageLink): PageLink => ({...l, link: link(pathOf.get(l.id) ?? new URL(l.url).pathname)})

  const pages = selected.map((p): Page => {
    const related = {} as Related
    for (const key of RELATED_KEYS) related[key] = fields.has('related') ? p.related[key].filter(linkable).map(relink) : []
    const out: Page = {...p, seo: {...p.seo}, link: link(p.path), related}
    if (!fields.has('summary')) {
      delete out.summary
      // The meta description usually is the summary, or the start of the body.
      delete out.seo.description
    }
    if (!fields.has('body')) {
      delete out.blocks
      delete out.html
      delete out.text
      if (out.seo.description && out.seo.description !== p.summary) delete out.seo.description
    }
    if (!fields.has('review')) delete out.review
    if (!fields.has('bodyAreas')) delete out.bodyAreas
    if (!fields.has('synonyms')) delete out.synonyms
    if (!fields.has('details')) delete out.details
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
