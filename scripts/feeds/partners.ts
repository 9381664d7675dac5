/**
 * Partner profiles: from `partner` documents (the Studio's), or from profile JSON (tests, the
 * migration's input), checked against the published profile schema with every problem at once. A
 * profile's name becomes a folder under dist/partners/, so it must be one plain lowercase segment.
 */
import type {Partner} from '../../sanity.types.ts'
import type {Problem} from '../lib/errors.ts'
import {
  PARTNER_FIELDS,
  partnerProfileSchema,
  type PartnerField,
  type PartnerProfile,
} from './outputs/partnerProfile.ts'
import {validateAgainst} from './schemas.ts'

const SAFE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/

/** True for names that are one plain path segment (never `.`, `..`, a separator or a drive). */
export function isSafePartnerName(name: unknown): name is string {
  return typeof name === 'string' && SAFE_NAME.test(name)
}

/** The field groups a profile sends, in PARTNER_FIELDS order. */
export function partnerFields(profile: PartnerProfile): Set<PartnerField> {
  const include: readonly PartnerField[] = profile.fields?.include ?? PARTNER_FIELDS
  const exclude = new Set(profile.fields?.exclude ?? [])
  return new Set(PARTNER_FIELDS.filter((f) => include.includes(f) && !exclude.has(f)))
}

/** Schema violations and an unsafe name, located by JSON pointer; then a warning for fields both included and excluded. */
function profileProblems(value: unknown, extra: (problems: Problem[]) => void = () => {}) {
  const problems = validateAgainst('partnerProfile', value)
  const name = (value as {name?: unknown} | null)?.name
  // The schema's pattern says the same; this check keeps the folder safe even if the schema changes.
  if (!isSafePartnerName(name))
    problems.push({
      level: 'error',
      path: '/name',
      message: `partner name ${JSON.stringify(name)} is not a safe folder name (lowercase letters, digits, inner hyphens; no "/", "." or "..")`,
    })
  extra(problems)
  const profile = value as PartnerProfile
  if (problems.length === 0 && profile.fields?.include && profile.fields.exclude) {
    const both = profile.fields.exclude.filter((f) => profile.fields!.include!.includes(f))
    if (both.length)
      problems.push({
        level: 'warning',
        path: '/fields',
        message: `${both.join(', ')} both included and excluded: excluded wins`,
      })
  }
  return problems
}

const hasErrors = (problems: readonly Problem[]) => problems.some((p) => p.level === 'error')

/**
 * Parse and check one profile file. `expectedName` is the file name without `.json`; the profile's
 * `name` must match it so the folder a partner gets is obvious from the file.
 */
export function parsePartnerProfile(
  text: string,
  file: string,
  expectedName?: string,
): {profile?: PartnerProfile; problems: Problem[]} {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return {problems: [{level: 'error', file, message: `not valid JSON: ${(e as Error).message}`}]}
  }
  const name = (value as {name?: unknown} | null)?.name
  const problems = profileProblems(value, (found) => {
    if (isSafePartnerName(name) && expectedName !== undefined && name !== expectedName)
      found.push({
        level: 'error',
        path: '/name',
        message: `name "${name}" must equal the file name "${expectedName}"`,
      })
  }).map((p) => ({...p, file}))
  return hasErrors(problems) ? {problems} : {profile: value as PartnerProfile, problems}
}

/** Every profile of a folder listing (name → text), sorted by name, with every problem. */
export function parsePartnerProfiles(files: ReadonlyArray<{file: string; text: string}>): {
  profiles: PartnerProfile[]
  problems: Problem[]
} {
  const profiles: PartnerProfile[] = []
  const problems: Problem[] = []
  for (const {file, text} of [...files].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  )) {
    const base = file
      .split(/[\\/]/)
      .at(-1)!
      .replace(/\.json$/, '')
    const r = parsePartnerProfile(text, file, base)
    problems.push(...r.problems)
    if (r.profile) profiles.push(r.profile)
  }
  return {profiles, problems}
}

/** The profile's own fields; a document's others (contact, notifyUrl, enabled) stay in the dataset. */
const PROFILE_KEYS = Object.keys(partnerProfileSchema.properties).filter((k) => k !== '$schema')

/** A value without Sanity's `_` keys; an empty list inside `fields` is no list (the Studio leaves `[]` behind). */
function plain(value: unknown, inFields = false): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v))
  if (!value || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('_') || (inFields && Array.isArray(v) && v.length === 0)) continue
    out[k] = plain(v)
  }
  return out
}

/** What a partner document asks for, as a profile (`name.current` → `name`); unchecked. */
export function partnerProfileOf(doc: Partner): unknown {
  const profile: Record<string, unknown> = {}
  for (const key of PROFILE_KEYS) {
    const value =
      key === 'name'
        ? (doc.name as {current?: unknown} | undefined)?.current
        : doc[key as keyof Partner]
    if (value !== undefined) profile[key] = plain(value, key === 'fields')
  }
  return profile
}

/** An absent `enabled` counts as enabled. */
const isEnabledPartner = (doc: Pick<Partner, 'enabled'>): boolean => doc.enabled !== false

/** A profile's JSON pointer as the document's field path: `/utm/source` → `utm.source`, `/formats/1` → `formats[1]`. */
function documentPath(pointer: string | undefined): string | undefined {
  const segments = (pointer ?? '/').split('/').slice(1).filter(Boolean)
  if (segments.length === 0) return undefined
  return segments.reduce(
    (path, s, i) => (/^\d+$/.test(s) ? `${path}[${s}]` : i === 0 ? s : `${path}.${s}`),
    '',
  )
}

const MISSING = /^must have required property '([^']+)'/

/** Every problem of one partner document's profile, named by document id and field path (a missing field's own). */
export function partnerDocumentProblems(doc: Partner): Problem[] {
  return profileProblems(partnerProfileOf(doc)).map(({path, ...p}) => {
    const missing = MISSING.exec(p.message)?.[1]
    const at = documentPath(missing ? `${path === '/' ? '' : path}/${missing}` : path)
    return {...p, documentId: doc._id, ...(at === undefined ? {} : {path: at})}
  })
}

/**
 * The profiles of the enabled partner documents, sorted by name, with every problem of every
 * document at once (two enabled partners may not share a folder). Disabled partners get nothing.
 */
export function profilesFromDocuments(docs: readonly Partner[]): {
  profiles: PartnerProfile[]
  problems: Problem[]
} {
  const problems: Problem[] = []
  const byName = new Map<string, {profile: PartnerProfile; ids: string[]}>()
  for (const doc of [...docs].filter(isEnabledPartner).sort((a, b) => (a._id < b._id ? -1 : 1))) {
    const found = partnerDocumentProblems(doc)
    problems.push(...found)
    if (hasErrors(found)) continue
    const profile = partnerProfileOf(doc) as PartnerProfile
    const entry = byName.get(profile.name)
    if (entry) entry.ids.push(doc._id)
    else byName.set(profile.name, {profile, ids: [doc._id]})
  }
  for (const [name, {ids}] of byName)
    if (ids.length > 1)
      for (const id of ids)
        problems.push({
          level: 'error',
          documentId: id,
          path: 'name',
          message: `name "${name}" is used by ${ids.length} enabled partners (${ids.join(', ')}): their folders would collide`,
        })
  const profiles = [...byName.values()]
    .filter((e) => e.ids.length === 1)
    .map((e) => e.profile)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {profiles, problems}
}
