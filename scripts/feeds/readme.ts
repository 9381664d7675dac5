/** dist/schemas/README.md: what each shipped schema describes, and the JSON Feed extension. */
import {schemaFileName} from './schemas.ts'

export const SCHEMAS_README = `# Export formats

Every JSON file of this export names its schema in \`$schema\`; the schemas (JSON Schema draft
2020-12) are in this folder. A new major version gets a new file (\`*.v2.schema.json\`).

| File | Schema |
|---|---|
| web/<type>/<slug>.json | ${schemaFileName('webPage')} |
| app/bundle.json | ${schemaFileName('appBundle')} |
| partners/<name>/content.json | ${schemaFileName('partnerContent')} |
| feeds/feed.json, partners/<name>/feed.json | ${schemaFileName('jsonFeed')} (JSON Feed 1.1) |
| manifest.json | ${schemaFileName('manifest')} |
| a partner document's profile (input) | ${schemaFileName('partnerProfile')} |

RSS 2.0 and Atom 1.0 (RFC 4287) files follow their own specifications.

## Cautions

Web pages, app bundle entries and partner items of benefits and treatments list \`cautions\`:
who the content is not for (\`contraindicated\`) or only with care (\`caution\`, with its
\`advice\`). They are never part of the related links: a skin type a benefit is contraindicated
for is not a skin type it suits.

## JSON Feed extension

Items carry \`_skincare\`: \`type\` (article, benefit, …), \`attribution\` (credit line to show with
the item) and, for medically reviewed content, \`last_reviewed\` (YYYY-MM-DD) and \`reviewed_by\`
(name, url).

## Safety

Every \`<\`, \`>\` and \`&\` inside JSON strings is written as a \\\\u escape, and every HTML member
holds only p, h2, h3, blockquote, ul, ol, li, strong, em, br and a with http, https or mailto links.
`
