/**
 * The syndication formats: their name for editors, the file each one is written to and the media
 * type it is served with.
 * One declaration: the exporter names files by it (build.ts), the feed server and the nginx
 * configuration serve by it (scripts/serve/), and the feeds' self links carry its media type.
 * No imports, so servers load it without the renderers.
 */
export const FORMATS = {
  rss: {title: 'RSS 2.0', file: 'rss.xml', mediaType: 'application/rss+xml'},
  atom: {title: 'Atom 1.0', file: 'atom.xml', mediaType: 'application/atom+xml'},
  jsonfeed: {title: 'JSON Feed 1.1', file: 'feed.json', mediaType: 'application/feed+json'},
  json: {title: 'JSON (partner content)', file: 'content.json', mediaType: 'application/json'},
  jsonld: {title: 'JSON-LD', file: 'jsonld.json', mediaType: 'application/ld+json'},
} as const

export type Format = keyof typeof FORMATS
