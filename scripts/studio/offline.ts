/**
 * The built Studio asks no host but the one serving it. Out of the box, sanity@6.9.2 reaches out
 * on its own, with no config switch for any of it (measured in tests/studio/offline.test.ts):
 * - `sanity build` adds core.sanity-cdn.com's `bridge.js` to index.html;
 * - the default document and `@sanity-labs/ui-poc/styles.css` load the Inter font from
 *   studio-static.sanity.io and design-system-static.sanity.io;
 * - the package version check (`PackageVersionStatusProvider`) polls sanity-cdn.com;
 * - the feedback client sends through api.sanity.io's intake tunnel.
 * The first two are removed from the build output (scrubBuildOutput); the last two are pointed at
 * the serving origin by a Vite plugin (offlineStudio), where the local server answers them.
 * Every rewrite checks that what it replaces is there, so a Sanity upgrade that moves it fails the
 * build instead of quietly calling out again.
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** Where the version check asks instead of sanity-cdn.com; static.ts answers "nothing newer". */
export const MODULES_STUB_PATH = '/_offline/modules'

/** The local API's intake sink (routes/misc.ts) takes what the feedback client would send. */
const FEEDBACK_TUNNEL_PATH = '/vX/intake/feedback'

interface Rewrite {
  /** What must be found, exactly once. */
  find: RegExp
  replace: string
}

/** Source rewrites by module (a path suffix of the resolved id). */
const MODULE_REWRITES: Array<{module: string; rewrites: Rewrite[]}> = [
  {
    module: '/node_modules/sanity/lib/index.js',
    rewrites: [
      {
        find: /const MODULES_URL = `[^`]*`;/,
        replace: `const MODULES_URL = ${JSON.stringify(MODULES_STUB_PATH)};`,
      },
      {
        find: /const FEEDBACK_TUNNEL_URL = "https:\/\/api\.sanity\.io\/vX\/intake\/feedback"/,
        replace: `const FEEDBACK_TUNNEL_URL = ${JSON.stringify(FEEDBACK_TUNNEL_PATH)}`,
      },
    ],
  },
]

function rewrite(code: string, rewrites: Rewrite[], where: string): string {
  let out = code
  for (const {find, replace} of rewrites) {
    const global = new RegExp(find.source, 'g')
    const count = out.match(global)?.length ?? 0
    if (count !== 1)
      throw new Error(
        `offline Studio: expected ${find} once in ${where}, found it ${count} times (did a Sanity upgrade move it?)`,
      )
    out = out.replace(find, replace)
  }
  return out
}

/** The part of a Vite plugin used here (vite is the Sanity CLI's dependency, not this project's). */
interface VitePlugin {
  name: string
  enforce: 'pre'
  transform(code: string, id: string): string | null
}

/** The Vite plugin for `sanity build` (see sanity.cli.ts). */
export function offlineStudio(): VitePlugin {
  return {
    name: 'offline-studio',
    enforce: 'pre',
    transform(code, id) {
      const path = id.split('?')[0]!
      const entry = MODULE_REWRITES.find((m) => path.endsWith(m.module))
      return entry ? rewrite(code, entry.rewrites, path) : null
    },
  }
}

/** `<script src="https://…">` tags: sanity build's bridge.js (the Studio's own scripts are relative). */
const REMOTE_SCRIPT = /<script\b[^>]*\bsrc="https?:\/\/[^"]*"[^>]*>\s*<\/script>/g
/** `@font-face {…}` rules that load from an absolute URL; the font stack falls back to system fonts. */
const REMOTE_FONT_FACE = /@font-face\s*\{[^}]*url\(\s*["']?https?:\/\/[^}]*\}/g

/** index.html or a stylesheet without its off-machine scripts and fonts. */
function scrubText(text: string): string {
  return text.replace(REMOTE_SCRIPT, '').replace(REMOTE_FONT_FACE, '')
}

/** Scrub a `sanity build` output directory in place: index.html and every stylesheet. */
export function scrubBuildOutput(dir: string): void {
  const staticDir = join(dir, 'static')
  const files = [
    join(dir, 'index.html'),
    ...readdirSync(staticDir)
      .filter((name) => name.endsWith('.css'))
      .map((name) => join(staticDir, name)),
  ]
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const scrubbed = scrubText(text)
    if (scrubbed !== text) writeFileSync(file, scrubbed)
  }
}
