/**
 * In-process structure checks of the XML feeds, run before anything is written: what RSS 2.0 and
 * RFC 4287 require of a channel/feed and its items/entries. (The tests also run jing with the
 * RFC 4287 RELAX NG schema and feedparser; this keeps a broken feed from ever being written.)
 */
import type {Problem} from '../lib/errors.ts'
import {child, childrenNamed, type XmlElement} from './xmlTree.ts'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/
const ATOM_NS = 'http://www.w3.org/2005/Atom'

type Check = (el: XmlElement, ok: boolean, message: string) => void

export function rssProblems(root: XmlElement, file: string): Problem[] {
  const problems: Problem[] = []
  const check: Check = (el, ok, message) => {
    if (!ok) problems.push({level: 'error', file, line: el.line, path: el.name, message})
  }
  check(
    root,
    root.name === 'rss' && root.attrs.version === '2.0',
    'root must be <rss version="2.0">',
  )
  const channel = child(root, 'channel')
  if (!channel) return [...problems, {level: 'error', file, message: 'missing <channel>'}]
  for (const name of ['title', 'link', 'description'])
    check(
      channel,
      Boolean(child(channel, name)?.text.trim()),
      `channel needs a non-empty <${name}>`,
    )
  check(
    channel,
    childrenNamed(channel, 'atom:link').some((l) => l.attrs.rel === 'self' && l.attrs.href),
    'channel needs <atom:link rel="self" href>',
  )
  const build = child(channel, 'lastBuildDate')
  if (build) check(build, RFC822.test(build.text), 'lastBuildDate must be an RFC 822 date')
  for (const item of childrenNamed(channel, 'item')) {
    check(
      item,
      Boolean(child(item, 'title')?.text || child(item, 'description')?.text),
      'item needs a title or a description',
    )
    const guid = child(item, 'guid')
    check(item, Boolean(guid?.text.trim()), 'item needs a <guid>')
    if (guid?.attrs.isPermaLink === 'true')
      check(guid, /^https?:\/\//.test(guid.text), 'a permalink guid must be an http(s) URL')
    const pub = child(item, 'pubDate')
    check(item, Boolean(pub && RFC822.test(pub.text)), 'item needs an RFC 822 <pubDate>')
  }
  return problems
}

export function atomProblems(root: XmlElement, file: string): Problem[] {
  const problems: Problem[] = []
  const check: Check = (el, ok, message) => {
    if (!ok) problems.push({level: 'error', file, line: el.line, path: el.name, message})
  }
  check(
    root,
    root.name === 'feed' && root.attrs.xmlns === ATOM_NS,
    `root must be <feed xmlns="${ATOM_NS}">`,
  )
  const required = (el: XmlElement, names: string[]) => {
    for (const name of names)
      check(el, childrenNamed(el, name).length === 1, `<${el.name}> needs exactly one <${name}>`)
  }
  required(root, ['id', 'title', 'updated'])
  const dated = (el: XmlElement) => {
    for (const name of ['updated', 'published']) {
      const d = child(el, name)
      if (d) check(d, RFC3339.test(d.text), `<${name}> must be an RFC 3339 date-time`)
    }
  }
  dated(root)
  const entries = childrenNamed(root, 'entry')
  const hasAuthor = (el: XmlElement) =>
    childrenNamed(el, 'author').some((a) => Boolean(child(a, 'name')?.text.trim()))
  check(
    root,
    hasAuthor(root) || (entries.length > 0 && entries.every(hasAuthor)),
    'feed needs an <author> with a <name> (or every entry one)',
  )
  check(
    root,
    childrenNamed(root, 'link').some((l) => l.attrs.rel === 'self' && l.attrs.href),
    'feed needs <link rel="self" href>',
  )
  for (const entry of entries) {
    required(entry, ['id', 'title', 'updated'])
    dated(entry)
    const alternate = childrenNamed(entry, 'link').some(
      (l) => (l.attrs.rel ?? 'alternate') === 'alternate' && l.attrs.href,
    )
    check(
      entry,
      alternate || Boolean(child(entry, 'content')),
      'entry needs <content> or <link rel="alternate">',
    )
    for (const c of childrenNamed(entry, 'category'))
      check(c, Boolean(c.attrs.term), '<category> needs a term attribute')
  }
  return problems
}
