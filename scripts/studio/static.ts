/**
 * Serves a `sanity build` output directory: files as they are (hashed assets cached for good),
 * and `index.html` for every other path so the Studio's client-side routes (/local/structure/…)
 * load on refresh. Paths never leave the directory.
 */
import {readFile, stat} from 'node:fs/promises'
import {extname, join, normalize, sep} from 'node:path'
import type {StaticHandler} from '../api/server.ts'
import {writeHead} from '../api/http.ts'
import {MODULES_STUB_PATH} from './offline.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

/** The file under `root` a URL path names, or undefined when it would escape `root`. */
export function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const full = normalize(join(root, decoded))
  return full === root || full.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)
    ? full
    : undefined
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

export function serveStudio(dir: string): StaticHandler {
  const root = normalize(dir)
  return async (req, res, pathname) => {
    // The Studio's version check, pointed here instead of sanity-cdn.com (offline.ts): `{}` names
    // no newer version, so the Studio offers no update.
    if (pathname.startsWith(`${MODULES_STUB_PATH}/`)) {
      writeHead(res, 200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      })
      if (req.method === 'HEAD') res.end()
      else res.end('{}')
      return true
    }
    const file = resolveInside(root, pathname)
    if (!file) return false
    let target = file
    let cache = /\/static\/|\/vendor\//.test(pathname)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache'
    if (!(await isFile(target))) {
      // A missing asset is a 404; anything else is a Studio route.
      if (extname(pathname) !== '') return false
      target = join(root, 'index.html')
      cache = 'no-cache'
      if (!(await isFile(target))) return false
    }
    const body = await readFile(target)
    writeHead(res, 200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': cache,
      'content-length': String(body.length),
    })
    if (req.method === 'HEAD') res.end()
    else res.end(body)
    return true
  }
}
