/**
 * The safety scan for the files that exist once per page (web pages, at 100k documents 100k files)
 * and the big aggregates (app bundle, manifest). Their renderers guarantee the escaping — every
 * JSON string goes through safeJson, so no `<` can appear in the bytes — so instead of parsing
 * our own output again, the scan checks the bytes for a literal `<` and checks the parts whose
 * safety depends on the data at the source: a page's HTML against the allowlist, its URLs and
 * links, the JSON-LD script block, and the schema of the object before it was serialized.
 * Feeds and partner files are small (item limit) and still get the full parser-based checks of
 * build.ts; the tests run independent parsers over everything.
 */
import type {Problem} from '../lib/errors.ts'
import {htmlProblems, isSafeAbsoluteUrl, rawJsonProblems} from './safety.ts'
import {validateAgainst} from './schemas.ts'
import type {Page} from './types.ts'

const LD_OPEN = '<script type="application/ld+json">'
const LD_CLOSE = '</script>'

/**
 * Every problem of one web page file: its bytes, its HTML, URLs and links, its JSON-LD block, and
 * — when `object` (webPageObject) is given — its schema. The full export validates the schema of
 * the first page of each type (the renderer's shape does not depend on the data; the tests
 * validate every page); what does depend on the data is checked on every page.
 */
export function webPageProblems(file: string, content: string | undefined, page: Page, object?: Record<string, unknown>): Problem[] {
  const problems = content === undefined ? [] : rawJsonProblems(content, file)
  if (object) {
    problems.push(...validateAgainst('webPage', object, file))
    const script = object.jsonLdScript
    if (typeof script !== 'string' || !script.startsWith(LD_OPEN) || !script.endsWith(LD_CLOSE) || script.slice(LD_OPEN.length, -LD_CLOSE.length).includes('<')) {
      problems.push({level: 'error', file, path: '/jsonLdScript', message: 'JSON-LD script block must be one <script type="application/ld+json"> with no "<" inside'})
    }
  }
  if (page.html) problems.push(...htmlProblems(page.html, {file, path: '/html'}))
  const url = (value: string | undefined, path: string) => {
    if (value !== undefined && !isSafeAbsoluteUrl(value)) problems.push({level: 'error', file, path, message: `URL ${JSON.stringify(value)} is not an http, https or mailto URL`})
  }
  url(page.url, '/url')
  url(page.review?.reviewedBy?.url, '/review/reviewedBy/url')
  for (const block of page.blocks ?? []) for (const def of block.markDefs) url(def.href, `/body/${block._key}/markDefs/${def._key}/href`)
  return problems
}
