/**
 * Outline → the article and benefit documents (field names as in schemas/documents/*.ts), plus
 * what linked, what could not, and the editorial warnings. Pure: the dataset is consulted only
 * through `benefitOwners`, so the same input always composes the same documents.
 */
import {basename, extname} from 'node:path'
import type {Definition, Root} from 'mdast'
import type {BodyArea} from '../../schemas/rules/bodyAreas.ts'
import type {TitleSource} from '../../schemas/rules/titles.ts'
import {bodyAreasIn} from './bodyAreas.ts'
import {claimWarnings, contradictionWarnings, cautionWarnings, type Segment} from './editorial.ts'
import {
  linkLeaves,
  readMentions,
  reference,
  relationFields,
  type FlaggedSentence,
  type FoundLink,
  type Reference,
  type Unlinked,
} from './linking.ts'
import {collectDefinitions, parseMarkdown} from './markdown.ts'
import type {Outline, Section} from './outline.ts'
import {toPortableText, type PtBlock} from './portableText.ts'
import type {CautionMember, LinkMember} from './relationMembers.ts'
import type {SourceText} from './source.ts'
import type {TaxonomyDoc} from './taxonomy.ts'
import {compileTerms, type CompiledTerm} from './terms.ts'
import {firstSentence, slugify, titleFromFileName} from './text.ts'
import type {ImportWarning, TextLeaf} from './types.ts'

export interface Slug {
  _type: 'slug'
  current: string
}

export interface ArticleDoc {
  _id: string
  _type: 'article'
  title: string
  titleSource: TitleSource
  slug: Slug
  treatment?: {_type: 'reference'; _ref: string}
  summary?: string
  intro?: PtBlock[]
  benefits: Reference[]
  source: {_type: 'sourceFile'; fileName: string; checksum: string; format: SourceText['format']}
}

export interface BenefitDoc {
  _id: string
  _type: 'benefit'
  title: string
  slug: Slug
  /** The article the benefit comes from, for the Studio's previews (weak: the article lists it too). */
  article: {_type: 'reference'; _ref: string; _weak: true}
  summary?: string
  body: PtBlock[]
  /** Positive links (suits / addresses / recommends), each with its source sentence. */
  concerns?: LinkMember[]
  skinTypes?: LinkMember[]
  serums?: LinkMember[]
  /** Who or what it is not for, or only with care: never positive links. */
  cautions?: CautionMember[]
  bodyAreas?: BodyArea[]
}

/** Fields the importer owns; anything else on these documents (seo, review, publishedAt) belongs to editors. */
export const ARTICLE_FIELDS = [
  'title',
  'titleSource',
  'slug',
  'treatment',
  'summary',
  'intro',
  'benefits',
  'source',
] as const
export const BENEFIT_FIELDS = [
  'title',
  'slug',
  'article',
  'summary',
  'body',
  'concerns',
  'skinTypes',
  'serums',
  'cautions',
  'bodyAreas',
] as const

/** A relation of one benefit (suits, caution or contraindicated), for the report. */
export interface LinkEntry extends FoundLink {
  benefitId: string
  number: number
}

/** A sentence of one benefit an editor should check (uncertain cues), for the report. */
export interface FlaggedEntry extends FlaggedSentence {
  benefitId: string
  number: number
}

export interface UnlinkedEntry extends Unlinked {
  benefitId: string
  number: number
}

export interface Composition {
  article: ArticleDoc
  benefits: BenefitDoc[]
  treatment?: {id: string; phrase: string; foundIn: Place}
  links: LinkEntry[]
  unlinked: UnlinkedEntry[]
  flagged: FlaggedEntry[]
  warnings: ImportWarning[]
}

export interface ComposeInput {
  source: SourceText
  root: Root
  outline: Outline
  /** Taxonomy used for linking and treatment detection (the dataset's copies win over the files'). */
  taxonomy: readonly TaxonomyDoc[]
  /** Article title given on the command line; beats `# Title` and the file name. */
  title?: string
  /** The article's identity resolved against the dataset (identity.ts); default articleIdentity's. */
  article?: ArticleIdentity
  /** Articles that already list this benefit id (to keep two articles' benefits apart). */
  benefitOwners?: (benefitId: string) => readonly string[]
}

export interface ArticleIdentity {
  id: string
  title: string
  slug: string
  titleSource: TitleSource
}

/** The article's title (--title, else the text's title, else from the file name), slug and id. */
export function articleIdentity(
  file: string,
  out: Pick<Outline, 'title'>,
  title?: string,
): ArticleIdentity {
  const [t, titleSource]: [string, TitleSource] = title?.trim()
    ? [title.trim(), 'option']
    : out.title
      ? [out.title.text, 'text']
      : [titleFromFileName(file), 'fileName']
  const slug = slugify(t) || slugify(basename(file, extname(file))) || 'untitled'
  return {id: `article-${slug}`, title: t, slug, titleSource}
}

export function compose(input: ComposeInput): Composition {
  const {source, outline: out, taxonomy} = input
  const file = source.file
  const definitions = collectDefinitions(input.root)
  const {
    title,
    titleSource,
    slug,
    id: articleId,
  } = input.article ?? articleIdentity(file, out, input.title)
  // Benefit ids build on the id, not the slug: an editor may change the slug, never the id.
  const articleSlug = articleId.slice('article-'.length)
  const warnings: ImportWarning[] = [...out.warnings]
  const segments: Segment[] = []
  if (out.title)
    segments.push({
      documentId: articleId,
      path: 'title',
      leaf: {line: out.title.line, text: out.title.text},
    })

  const intro =
    out.intro === undefined
      ? undefined
      : toPortableText(parseMarkdown(out.intro), {
          docId: articleId,
          file,
          lineOffset: 0,
          definitions,
        })
  if (intro) {
    warnings.push(...intro.warnings)
    segments.push(...intro.leaves.map((leaf) => ({documentId: articleId, path: 'intro', leaf})))
  }

  const treatment = findTreatment(compileTerms(taxonomy.filter((t) => t._type === 'treatment')), [
    ['title', titleSource === 'fileName' ? '' : title],
    ['file name', basename(file, extname(file)).replace(/[-_.]+/g, ' ')],
    ['intro', (intro?.leaves ?? []).map((l) => l.text).join('\n\n')],
  ] as const)
  if (!treatment) {
    warnings.push({
      file,
      line: 1,
      documentId: articleId,
      level: 'info',
      rule: 'no-treatment',
      message:
        'no treatment from the taxonomy is named in the title, file name or intro; the article has no treatment reference',
    })
  }
  const prefix = treatment ? slugOfId(treatment.id, taxonomy) : articleSlug
  const linkTerms = compileTerms(taxonomy.filter((t) => t._type !== 'treatment'))
  const byId = new Map(taxonomy.map((t) => [t._id, t]))

  const benefits: BenefitDoc[] = []
  const links: LinkEntry[] = []
  const unlinked: UnlinkedEntry[] = []
  const flagged: FlaggedEntry[] = []
  for (const section of out.sections) {
    const built = composeBenefit(section, {
      file,
      articleId,
      articleSlug,
      prefix,
      definitions,
      linkTerms,
      byId,
      benefitOwners: input.benefitOwners,
    })
    benefits.push(built.doc)
    warnings.push(...built.warnings)
    segments.push(...built.segments)
    links.push(
      ...built.links.map((l) => ({benefitId: built.doc._id, number: section.number, ...l})),
    )
    unlinked.push(
      ...built.unlinked.map((u) => ({benefitId: built.doc._id, number: section.number, ...u})),
    )
    flagged.push(
      ...built.flagged.map((f) => ({benefitId: built.doc._id, number: section.number, ...f})),
    )
  }
  warnings.push(...claimWarnings(file, segments), ...contradictionWarnings(file, segments))

  const introText = intro ? firstProse(intro.leaves)?.text : undefined
  const article: ArticleDoc = {
    _id: articleId,
    _type: 'article',
    title,
    titleSource,
    slug: {_type: 'slug', current: slug},
    ...(treatment ? {treatment: {_type: 'reference' as const, _ref: treatment.id}} : {}),
    ...(introText ? {summary: firstSentence(introText)} : {}),
    ...(intro && intro.blocks.length ? {intro: intro.blocks} : {}),
    benefits: benefits.map((b) => reference(b._id)),
    source: {
      _type: 'sourceFile',
      fileName: basename(file),
      checksum: source.checksum,
      format: source.format,
    },
  }
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  return {
    article,
    benefits,
    ...(treatment ? {treatment} : {}),
    links,
    unlinked,
    flagged,
    warnings,
  }
}

interface BenefitContext {
  file: string
  articleId: string
  articleSlug: string
  prefix: string
  definitions: ReadonlyMap<string, Definition>
  linkTerms: readonly CompiledTerm[]
  byId: ReadonlyMap<string, TaxonomyDoc>
  benefitOwners: ComposeInput['benefitOwners']
}

function composeBenefit(section: Section, ctx: BenefitContext) {
  const titleSlug = slugify(section.title)
  const warnings: ImportWarning[] = []
  let id = `benefit-${slugify(`${ctx.prefix}-${titleSlug}`)}`
  const owners = ctx.benefitOwners?.(id) ?? []
  if (owners.length > 0 && !owners.includes(ctx.articleId)) {
    // Two articles on one treatment can both have "Improves Skin Texture": keep them apart.
    const fallback = `benefit-${slugify(`${ctx.articleSlug}-${titleSlug}`)}`
    warnings.push({
      file: ctx.file,
      line: section.line,
      documentId: fallback,
      level: 'info',
      rule: 'benefit-id',
      message: `${id} belongs to ${owners.join(', ')}; this article's benefit is ${fallback}`,
    })
    id = fallback
  }
  const pt = toPortableText(parseMarkdown(section.body), {
    docId: id,
    file: ctx.file,
    lineOffset: section.bodyLine - 1,
    definitions: ctx.definitions,
  })
  warnings.push(...pt.warnings)
  const titleLeaf: TextLeaf = {line: section.line, text: section.title}
  const {links, unlinked, flagged} = linkLeaves([titleLeaf, ...pt.leaves], ctx.linkTerms)
  // An adjunct the text already cautions about needs no reminder of its caution.
  const recommended = links.filter((l) => l.kind === 'suits')
  warnings.push(...cautionWarnings(ctx.file, id, recommended, ctx.byId))
  const refs = relationFields(links)
  const bodyAreas = bodyAreasIn([section.title, ...pt.leaves.map((l) => l.text)].join('\n'))
  const firstParagraph = firstProse(pt.leaves)
  const doc: BenefitDoc = {
    _id: id,
    _type: 'benefit',
    title: section.title,
    slug: {_type: 'slug', current: id.slice('benefit-'.length)},
    article: {_type: 'reference', _ref: ctx.articleId, _weak: true},
    ...(firstParagraph ? {summary: firstSentence(firstParagraph.text)} : {}),
    body: pt.blocks,
    ...(refs.concerns.length ? {concerns: refs.concerns} : {}),
    ...(refs.skinTypes.length ? {skinTypes: refs.skinTypes} : {}),
    ...(refs.serums.length ? {serums: refs.serums} : {}),
    ...(refs.cautions.length ? {cautions: refs.cautions} : {}),
    ...(bodyAreas.length ? {bodyAreas} : {}),
  }
  const segments: Segment[] = [
    {documentId: id, path: 'title', leaf: titleLeaf},
    ...pt.leaves.map((leaf) => ({documentId: id, path: 'body', leaf})),
  ]
  return {doc, links, unlinked, flagged, warnings, segments}
}

/** The block a summary comes from: the first plain paragraph, else the first block of any kind. */
function firstProse(leaves: readonly TextLeaf[]): TextLeaf | undefined {
  return leaves.find((l) => l.kind === 'paragraph' && !l.nested) ?? leaves[0]
}

type Place = 'title' | 'file name' | 'intro'

/** The article's treatment: the first one named in its title, else its file name, else its intro. */
function findTreatment(
  terms: readonly CompiledTerm[],
  places: ReadonlyArray<readonly [Place, string]>,
): Composition['treatment'] {
  for (const [foundIn, text] of places) {
    // The treatment the text is about, not one it warns against or compares with.
    const m = readMentions(text, terms).find((x) => !x.reading.cued)?.match
    if (m) return {id: m.targetId, phrase: m.phrase, foundIn}
  }
  return undefined
}

function slugOfId(id: string, taxonomy: readonly TaxonomyDoc[]): string {
  return taxonomy.find((t) => t._id === id)?.slug.current ?? id.replace(/^treatment-/, '')
}
