/** Every schema type of the content model; `sanity.config.ts` registers this array. */
import {article} from './documents/article.ts'
import {benefit} from './documents/benefit.ts'
import {concern} from './documents/concern.ts'
import {contraindication} from './documents/contraindication.ts'
import {partner} from './documents/partner.ts'
import {person} from './documents/person.ts'
import {serum} from './documents/serum.ts'
import {skinType} from './documents/skinType.ts'
import {treatment} from './documents/treatment.ts'
import {blockContent} from './objects/blockContent.ts'
import {citation} from './objects/citation.ts'
import {evidence} from './objects/evidence.ts'
import {caution} from './objects/caution.ts'
import {review} from './objects/review.ts'
import {seo} from './objects/seo.ts'
import {sourceFile} from './objects/sourceFile.ts'

export const schemaTypes = [
  // Documents
  article,
  benefit,
  treatment,
  concern,
  skinType,
  serum,
  contraindication,
  person,
  partner,
  // Objects
  blockContent,
  caution,
  seo,
  review,
  sourceFile,
  citation,
  evidence,
]

/** Document types in the order the Studio and exports list them. */
export const DOCUMENT_TYPES = [
  'article',
  'benefit',
  'treatment',
  'concern',
  'skinType',
  'serum',
  'contraindication',
  'person',
  'partner',
] as const
