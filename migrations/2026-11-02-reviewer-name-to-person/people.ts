/**
 * Pure helpers of the reviewer migration: read a free-text reviewer ("Dr. Ada Lee, MD,
 * dermatologist"), match it to a person by name, or pick a new, unused `person-<slug>` id.
 */

export interface Reviewer {
  name: string
  credentials?: string
}

export interface PersonDoc {
  _id: string
  _type: 'person'
  name: string
  slug: {_type: 'slug'; current: string}
  credentials?: string
}

/** "Dr. Ada Lee, MD, dermatologist" → name + credentials; also "Sam Okafor (RN)". Undefined when blank. */
export function parseReviewer(text: string): Reviewer | undefined {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (!flat) return undefined
  const paren = /^(.*?)\s*\(([^)]*)\)\s*$/.exec(flat)
  const [name, credentials] = paren
    ? [paren[1]!, paren[2]!]
    : flat.includes(',')
      ? [flat.slice(0, flat.indexOf(',')), flat.slice(flat.indexOf(',') + 1)]
      : [flat, '']
  const reviewer: Reviewer = {name: name.trim() || flat}
  if (credentials.trim()) reviewer.credentials = credentials.trim()
  return reviewer
}

const HONORIFICS = /^(?:dr|prof|professor|mr|mrs|ms|mx)\.?\s+/i

/** What makes two names the same person here: case, spacing, punctuation and a leading "Dr." do not count. */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(HONORIFICS, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

/**
 * URL slug, like the importer's: ASCII lower case, words joined by `-`, at most 96 characters.
 * Deliberately a frozen copy: a migration must do tomorrow what it did when it was written, even
 * if the importer's slug rules change.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 96)
    .replace(/-+$/, '')
}

const publishedId = (id: string) => id.replace(/^drafts\./, '').replace(/^versions\.[^.]+\./, '')

/** The people a migration run knows: the dataset's, plus those it decided to create. */
export class People {
  private readonly byKey = new Map<string, string>()
  private readonly taken = new Set<string>()

  /** Register an existing person document (drafts only reserve their id: references need published ones). */
  add(doc: {_id: string; name?: unknown}): void {
    const id = publishedId(doc._id)
    this.taken.add(id)
    if (id === doc._id && typeof doc.name === 'string' && nameKey(doc.name))
      this.byKey.set(nameKey(doc.name), id)
  }

  /** The person id for a reviewer, and the document to create when nobody by that name exists yet. */
  resolve(reviewer: Reviewer): {id: string; create?: PersonDoc} {
    const key = nameKey(reviewer.name)
    const known = this.byKey.get(key)
    if (known) return {id: known}
    const slug = slugify(reviewer.name.replace(HONORIFICS, '')) || 'reviewer'
    let id = `person-${slug}`
    for (let n = 2; this.taken.has(id); n++) id = `person-${slug}-${n}`
    this.taken.add(id)
    this.byKey.set(key, id)
    const create: PersonDoc = {
      _id: id,
      _type: 'person',
      name: reviewer.name,
      slug: {_type: 'slug', current: id.slice('person-'.length)},
    }
    if (reviewer.credentials) create.credentials = reviewer.credentials
    return {id, create}
  }
}
