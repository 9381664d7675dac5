/**
 * Partner profiles (content/partners/<name>.json): parsed and validated all at once, so an editor
 * sees every problem in every profile in one run. A profile's name becomes a folder under
 * dist/partners/, so it must be a plain lowercase name and equal its file name (no `../x`).
 */
import type {Problem} from '../lib/errors.ts'
import {PARTNER_FIELDS, type PartnerField, type PartnerProfile} from './outputs/partnerProfile.ts'
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
  const problems = validateAgainst('partnerProfile', value, file)
  const name = (value as {name?: unknown} | null)?.name
  // The schema's pattern says the same; this check keeps the folder safe even if the schema changes.
  if (!isSafePartnerName(name)) {
    problems.push({
      level: 'error',
      file,
      path: '/name',
      message: `partner name ${JSON.stringify(name)} is not a safe folder name (lowercase letters, digits, inner hyphens; no "/", "." or "..")`,
    })
  } else if (expectedName !== undefined && name !== expectedName) {
    problems.push({
      level: 'error',
      file,
      path: '/name',
      message: `name "${name}" must equal the file name "${expectedName}"`,
    })
  }
  const profile = value as PartnerProfile
  if (problems.length === 0 && profile.fields?.include && profile.fields.exclude) {
    const both = profile.fields.exclude.filter((f) => profile.fields!.include!.includes(f))
    if (both.length)
      problems.push({
        level: 'warning',
        file,
        path: '/fields',
        message: `${both.join(', ')} both included and excluded: excluded wins`,
      })
  }
  return problems.some((p) => p.level === 'error') ? {problems} : {profile, problems}
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
