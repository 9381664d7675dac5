/** dist/schemas/README.md: what each shipped schema describes, and the JSON Feed extension. */
export const SCHEMAS_README = `# Export formats

Every JSON file of this export names its schema in \`$schema\`; the schemas (JSON Schema draft
2020-12) are in this folder. A new major version gets a new file (\`*.v2.schema.json\`).

| File | Schema |
|---|---|
| web/<type>/<slug>.json | web-page.v1.schema.json |
| app/bundle.json | app-bundle.v1.schema.json |
| partners/<name>/content.json | partner-content.v1.schema.json |
| feeds/feed.json, partners/<name>/feed.json | jsonfeed-1.1.schema.json (JSON Feed 1.1) |
| manifest.json | manifest.v1.schema.json |
| content/partners/<name>.json (input) | partner-profile.v1.schema.json |

RSS 2.0 and Atom 1.0 (RFC 4287) files follow their own specifications.

## JSON Feed extension

Items carry \`_skincare\`: \`type\` (article, benefit, …), \`attribution\` (credit line to show with
the item) and, for medically reviewed content, \`last_reviewed\` (YYYY-MM-DD) and \`reviewed_by\`
(name, url).

## Safety

Every \`<\`, \`>\` and \`&\` inside JSON strings is written as a \\\\u escape, and every HTML member
holds only p, h2, h3, blockquote, ul, ol, li, strong, em, br and a with http, https or mailto links.
`
