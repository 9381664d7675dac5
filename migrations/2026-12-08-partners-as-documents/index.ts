/**
 * Partner profiles were JSON files in the repository (`content/partners/<name>.json`), which
 * editors could not see. They are now `partner` documents, edited in the Studio (Partners), and the
 * exporter reads those. This creates one document per profile, its input being the two profile
 * files moved here: `partner-<name>`, enabled, the profile's fields with `name` as a slug. Only
 * where none exists (createIfNotExists): a partner an editor has changed or deleted since is never
 * touched. Schema change that goes with it: schemas/documents/partner.ts.
 */
import {createIfNotExists, defineMigration} from 'sanity/migrate'
import clinicNetwork from './clinic-network.json' with {type: 'json'}
import wellnessApp from './wellness-app.json' with {type: 'json'}

/** A profile file as it was: the profile schema's fields, and `$schema`. */
export interface ProfileFile {
  $schema?: string
  name: string
  [field: string]: unknown
}

/** The profiles this migration creates partners from, in name order. */
export const PROFILES: readonly ProfileFile[] = [clinicNetwork, wellnessApp]

export interface PartnerDocument {
  _id: string
  _type: 'partner'
  name: {_type: 'slug'; current: string}
  enabled: true
  [field: string]: unknown
}

/** The partner document of one profile (pure): the profile's fields, `name` as a slug, enabled. */
export function partnerDocument(profile: ProfileFile): PartnerDocument {
  const {$schema: _schema, name, ...fields} = profile
  return {
    _id: `partner-${name}`,
    _type: 'partner',
    name: {_type: 'slug', current: name},
    ...fields,
    enabled: true,
  }
}

export default defineMigration({
  title: 'Partner profiles become partner documents',
  documentTypes: ['partner'],
  // Nothing to read: createIfNotExists leaves an existing partner as it is.
  async *migrate() {
    yield PROFILES.map((profile) => createIfNotExists(partnerDocument(profile)))
  },
})
