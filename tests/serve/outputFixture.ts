/**
 * A small output folder in the exporter's layout (web/, app/, feeds/, schemas/, manifest.json,
 * partners/<name>/), its bytes tagged with a version so two builds differ in every file. Sizes
 * cover each way a file is sent: below the compression threshold, buffered, and streamed.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {BUFFER_LIMIT} from '../../scripts/serve/respond.ts'

const items = (version: string, n: number) =>
  Array.from({length: n}, (_, i) => `<item><title>Benefit ${i} (${version})</title></item>`).join(
    '',
  )

/** Output path → bytes of one version. */
export function outputFiles(version: string): Map<string, Buffer> {
  const files: Record<string, string> = {
    'feeds/rss.xml': `<?xml version="1.0"?><rss version="2.0"><channel>${items(version, 40)}</channel></rss>`,
    'feeds/atom.xml': `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">${items(version, 40)}</feed>`,
    'feeds/feed.json': JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      items: Array.from({length: 40}, (_, i) => ({id: `${version}-${i}`, title: `Benefit ${i}`})),
    }),
    'web/benefits/collagen.json': JSON.stringify({version, body: 'Collagen. '.repeat(200)}),
    'web/concerns/acne.json': JSON.stringify({version, title: 'Acne'}),
    // Larger than BUFFER_LIMIT: streamed from its fd.
    'app/bundle.json': JSON.stringify({version, pages: 'x'.repeat(BUFFER_LIMIT + 200_000)}),
    'schemas/web-page.v2.schema.json': JSON.stringify({$id: 'web-page.v2', version}),
    'manifest.json': JSON.stringify({version, files: 12}),
    'partners/clinic-network/rss.xml': `<?xml version="1.0"?><rss version="2.0"><channel><title>clinic ${version}</title>${items(version, 30)}</channel></rss>`,
    'partners/clinic-network/atom.xml': `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>clinic ${version}</title></feed>`,
    'partners/wellness-app/feed.json': JSON.stringify({title: `wellness ${version}`, items: []}),
    'partners/wellness-app/content.json': JSON.stringify({partner: 'wellness-app', version}),
  }
  return new Map(Object.entries(files).map(([p, text]) => [p, Buffer.from(text)]))
}

/** Write one version's files under `out` (created); returns them. */
export function writeOutput(out: string, version: string): Map<string, Buffer> {
  const files = outputFiles(version)
  for (const [path, bytes] of files) {
    const target = join(out, ...path.split('/'))
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, bytes)
  }
  return files
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
