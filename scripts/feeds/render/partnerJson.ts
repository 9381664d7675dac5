/** A partner's `content.json`: its selected items with only the fields its profile allows. */
import {jsonFile} from '../json.ts'
import type {PartnerView} from '../partnerView.ts'
import {schemaId} from '../schemas.ts'
import {RELATED_KEYS, type Page} from '../types.ts'

function item(view: PartnerView, page: Page): Record<string, unknown> {
  const out: Record<string, unknown> = {id: page.id, type: page.type, slug: page.slug, url: page.url, link: page.link, title: page.title}
  if (page.summary) out.summary = page.summary
  if (page.text) out.text = page.text
  if (page.html) out.html = page.html
  out.datePublished = page.datePublished
  out.dateModified = page.dateModified
  if (page.review) {
    const by = page.review.reviewedBy
    out.review = {
      ...(page.review.lastReviewed ? {lastReviewed: page.review.lastReviewed} : {}),
      ...(by ? {reviewedBy: {name: by.name, ...(by.credentials ? {credentials: by.credentials} : {}), ...(by.url ? {url: by.url} : {})}} : {}),
    }
  }
  if (page.bodyAreas) out.bodyAreas = page.bodyAreas
  if (page.synonyms) out.synonyms = page.synonyms
  if (page.details) out.details = page.details
  if (view.fields.has('related')) {
    const related: Record<string, unknown[]> = {}
    for (const key of RELATED_KEYS) {
      if (page.related[key].length) related[key] = page.related[key].map((l) => ({id: l.id, type: l.type, slug: l.slug, title: l.title, link: l.link}))
    }
    out.related = related
  }
  return out
}

export function partnerJsonObject(view: PartnerView): Record<string, unknown> {
  const {model, profile} = view
  return {
    $schema: schemaId('partnerContent'),
    partner: profile.name,
    title: model.site.title,
    homePageUrl: model.site.home,
    generatedAt: model.generatedAt,
    language: model.site.language,
    attribution: model.site.attribution,
    items: model.pages.map((p) => item(view, p)),
  }
}

export function renderPartnerJson(view: PartnerView): string {
  return jsonFile(partnerJsonObject(view))
}
