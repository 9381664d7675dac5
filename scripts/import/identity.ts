/**
 * Which stored article an import updates. An article is its text, not its file name: the same
 * text (by checksum) under another file name updates the article it made before, instead of
 * adding a second article with ten more benefits. A title made from the file name is only a
 * placeholder, so an existing article keeps a title an editor changed or confirmed (and one a
 * `--title` gave it) when this import has nothing better than its file name.
 */
import {InputError, type Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import type {TitleSource} from '../../schemas/rules/titles.ts'
import type {ArticleIdentity} from './documents.ts'
import type {ImportWarning} from './types.ts'
import {slugify, titleFromFileName} from './text.ts'

const TITLE_SOURCES: ReadonlySet<unknown> = new Set<TitleSource>(['text', 'option', 'fileName'])

export interface ResolvedArticle {
  identity: ArticleIdentity
  /** Set when a stored article with the same text is updated under another id than the derived one. */
  note?: ImportWarning
}

/**
 * The identity to compose with: `derived` (articleIdentity's), moved onto the stored article with
 * the same text if there is one, else onto the stored article with the derived id. Throws
 * InputError when several stored articles have this text: updating one would leave the others.
 */
export function resolveArticle(
  derived: ArticleIdentity,
  source: {file: string; checksum: string},
  articles: readonly StoredDocument[],
): ResolvedArticle {
  const published = articles.filter((a) => !a._id.includes('.')) // drafts and versions are editors' work
  const sameText = published.filter((a) => sourceOf(a).checksum === source.checksum)
  const existing =
    sameText.find((a) => a._id === derived.id) ??
    sameText[0] ??
    published.find((a) => a._id === derived.id)
  if (!existing) return {identity: derived}
  if (sameText.length > 1 && existing._id !== derived.id) {
    throw new InputError([
      {
        file: source.file,
        level: 'error',
        message: `has the same text as ${sameText.length} articles (${sameText.map((a) => a._id).join(', ')}); delete all but one, then import again`,
      },
    ])
  }
  const identity = keepsTitle(derived, existing)
    ? storedIdentity(existing, derived)
    : {...derived, id: existing._id}
  if (existing._id === derived.id) return {identity}
  return {
    identity,
    note: {
      file: source.file,
      documentId: existing._id,
      level: 'info',
      rule: 'same-text',
      message: `same text as ${existing._id} (imported from ${String(sourceOf(existing).fileName ?? 'another file')}): this import updates it rather than adding ${derived.id}`,
    },
  }
}

function sourceOf(doc: StoredDocument): {checksum?: unknown; fileName?: unknown} {
  const s = doc.source
  return s && typeof s === 'object' ? (s as {checksum?: unknown; fileName?: unknown}) : {}
}

/**
 * With no title in the text or options, the stored title stays unless it is itself an unconfirmed
 * placeholder of its file name: a renamed file then gives a new placeholder, which keeps the
 * "check the title" warning (schemas/rules/titles.ts) in step with the file name it names.
 */
function keepsTitle(derived: ArticleIdentity, existing: StoredDocument): boolean {
  if (derived.titleSource !== 'fileName') return false
  if (typeof existing.title !== 'string' || existing.title.trim() === '') return false
  const fileName = sourceOf(existing).fileName
  const placeholder =
    existing.titleConfirmed !== true &&
    typeof fileName === 'string' &&
    existing.title === titleFromFileName(fileName)
  return !placeholder
}

function storedIdentity(existing: StoredDocument, derived: ArticleIdentity): ArticleIdentity {
  const title = existing.title as string
  const slug = (existing.slug as {current?: unknown} | undefined)?.current
  return {
    id: existing._id,
    title,
    slug: typeof slug === 'string' && slug ? slug : slugify(title) || derived.slug,
    titleSource: TITLE_SOURCES.has(existing.titleSource)
      ? (existing.titleSource as TitleSource)
      : derived.titleSource,
  }
}

/** Sources of one batch with the same text: importing both would make one article flip between them. */
export function sameTextProblems(
  sources: ReadonlyArray<{file: string; checksum: string}>,
): Problem[] {
  const first = new Map<string, string>()
  return sources.flatMap((s) => {
    const other = first.get(s.checksum)
    if (other === undefined) {
      first.set(s.checksum, s.file)
      return []
    }
    return [
      {
        file: s.file,
        level: 'error' as const,
        message: `has the same text as ${other}: import only one of them`,
      },
    ]
  })
}
