/**
 * The nginx configuration that serves the output folder by the same rules as the Node feed server
 * (rules.ts): media types by format file name and extension, charset, Cache-Control per path,
 * validators and 304s, gzip and brotli, no listings, no dotfiles or symlinks, traversal and
 * encoded-path tricks → 404, and `partners/<name>/` only with that partner's token.
 *
 * - **Partner tokens go through `auth_request`.** Tokens are stored only as sha256 (credentials.ts)
 *   and nginx cannot hash, so each partner request makes a subrequest to the Node server's
 *   AUTH_PATH with the original request target (`X-Original-URI`, which carries a secret URL's
 *   `access_token`) and `Authorization`, nothing else. It answers 204, 401 (its `WWW-Authenticate`
 *   reaches the client) or 403, which becomes the 404 the Node server itself answers for a token
 *   that does not open the folder. The Node server must be running (`npm run serve`); when it is
 *   not, partner requests get 500 (fail closed) and public ones are unaffected.
 * - **ETags differ from the Node server's.** nginx's is `"<mtime hex>-<size hex>"`, strong for the
 *   file as stored and weakened (`W/`) when gzip or brotli compresses on the fly; the Node server's
 *   is the file's sha256. Both change whenever the bytes do (a publish writes new files), and
 *   `If-None-Match` / `If-Modified-Since` get 304 from both, but a client moving between the two
 *   servers revalidates once.
 * - **No token in a log.** The access log records `$uri`, never the request line or query string,
 *   and no Referer (a page's secret URL can travel in it). nginx writes the whole request line,
 *   query string included, into every request-level error message, so those are logged at `emerg`
 *   only (in practice, none); the access log's `auth=` field shows the auth server's answer.
 * - **Publishes.** Each request opens one file of the current tree, whole, and an open file
 *   completes after a publish replaces it. nginx does not see the publisher's commit signal (the
 *   Node server does): during a staged-rename commit (trees over 5,000 files, a few ms) a reader
 *   may get some new files beside old ones, and in the instant between a whole-tree swap's two
 *   renames the folder is absent (404), where the Node server waits for it.
 * - **Accept-Encoding.** nginx honours `q=0`, but prefers br to gzip whatever their q-values and
 *   ignores `*` and `x-gzip`, which the Node server weighs; any choice either makes is acceptable.
 *
 * `nginxConfig` is pure; `writeNginxConfig` finds the brotli module and writes the file atomically.
 */
import {existsSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {isCompressible, MIN_COMPRESS_BYTES} from './representation.ts'
import {AUTH_PATH, CACHE_CONTROL, MEDIA_TYPES} from './rules.ts'

/** Where Debian's nginx keeps its dynamic modules. */
const DEBIAN_MODULES_DIR = '/usr/lib/nginx/modules'
const BROTLI_FILTER = 'ngx_http_brotli_filter_module.so'

export interface NginxConfigOptions {
  /** The output folder to serve (absolute). */
  out: string
  /** Address nginx listens on (`host` may be an IPv6 literal). */
  listen: {host: string; port: number}
  /** Base URL of the Node feed server that answers AUTH_PATH, e.g. `http://127.0.0.1:3480`. */
  authUpstream: string
  /** nginx's prefix folder (`nginx -p`, absolute): its pid file, logs and temp files go here. */
  prefix: string
  /** Path of `ngx_http_brotli_filter_module.so` to load; none: gzip only. */
  brotliModule?: string
  /** The `user` directive, for a master started as root; omitted: a non-root user runs nginx. */
  user?: string
  /** Default `auto`. */
  workerProcesses?: number | 'auto'
  /** What the header comment says made the file (default: the serve CLI). */
  generatedBy?: string
}

/** Thrown for options nginx cannot express (a relative path, a `$` in a path, a bad URL…). */
export class NginxConfigError extends Error {
  override name = 'NginxConfigError'
  static is(e: unknown): e is NginxConfigError {
    return e instanceof Error && e.name === 'NginxConfigError'
  }
}

/**
 * The partner area, as access.ts sees it: a first segment `partners` in any case (a
 * case-insensitive disk must not open a partner folder publicly). Every request in it is asked
 * about; the Node server tells 401 from 403 and which partner a path belongs to.
 */
const PARTNER_AREA = '^/partners(/|$)'

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** rules.ts's Cache-Control prefixes as nginx regexes over the URL path, in its order. */
const CACHE_CLASSES = CACHE_CONTROL.filter((c) => c.prefix !== '').map((c) => ({
  regex: `^/${regexEscape(c.prefix)}`,
  value: c.value,
}))
const DEFAULT_CACHE_CONTROL = CACHE_CONTROL.find((c) => c.prefix === '')!.value

/**
 * Raw request targets that name no file, as target.ts refuses them: a segment starting with a
 * dot, plain or encoded (`..`, `.`, dotfiles), an encoded slash, backslash or NUL, an empty
 * segment (`//etc/passwd`), a trailing `/` (a folder). Matched against `$request_uri`, before
 * nginx decodes the path and resolves `..` (it would serve `/feeds/%2e%2e/manifest.json`).
 */
const TRICK_TARGET = String.raw`^[^?]*(/\.|/%2e|%2f|%5c|\\|%00|//|/$|/\?)`
/** The absolute form (`GET http://host/x`), which target.ts also refuses; `$request` has it. */
const ABSOLUTE_FORM = String.raw`^[A-Z]+ [^/]`

// --- what rules.ts says, in the shapes nginx takes ---------------------------------------------

interface TypeRule {
  base: string
  charset: boolean
}

function splitType(full: string, what: string): TypeRule {
  const [base, ...params] = full.split(';').map((s) => s.trim())
  const rest = params.map((p) => p.toLowerCase())
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'charset=utf-8'))
    throw new NginxConfigError(`${what}: nginx can add only "charset=utf-8" to a type ("${full}")`)
  return {base: base!, charset: rest.length === 1}
}

/**
 * rules.ts's MEDIA_TYPES as nginx takes them: the `types` table (by extension), the per-name
 * types (locations), `charset_types`, and the compressible types (representation.ts).
 */
export function nginxTypes() {
  const {byExtension, byFileName, withCharset} = MEDIA_TYPES
  const extensions = Object.entries(byExtension).map(([ext, type]) => ({
    ext,
    ...splitType(withCharset(type), `.${ext}`),
  }))
  const names = [...byFileName].map(([name, type]) => ({
    name,
    ...splitType(withCharset(type), name),
  }))
  // nginx adds the charset by base type, wherever it is served: a type must be one or the other.
  const charsetOf = new Map<string, boolean>([['text/html', true]]) // always in charset_types
  for (const t of [...extensions, ...names]) {
    if (charsetOf.has(t.base) && charsetOf.get(t.base) !== t.charset)
      throw new NginxConfigError(`${t.base} is served both with and without a charset`)
    charsetOf.set(t.base, t.charset)
  }
  const bases = [...charsetOf.keys()].sort().filter((t) => t !== 'text/html') // nginx's own
  return {
    extensions,
    names,
    charsetTypes: bases.filter((t) => charsetOf.get(t)),
    compressTypes: bases.filter((t) => isCompressible(t)),
  }
}

// --- nginx syntax --------------------------------------------------------------------------------

/** A double-quoted nginx string. `$` would start a variable and nginx has no escape for it. */
function quote(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[$\u0000-\u001f\u007f]/.test(value))
    throw new NginxConfigError(`${what} must not contain "$" or control characters: ${value}`)
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

function absolute(path: string, what: string): string {
  if (!isAbsolute(path)) throw new NginxConfigError(`${what} must be an absolute path: ${path}`)
  return quote(path, what)
}

/** `if (<variable> <op> "<regex>") { return 404; }` (server level, where `if` is safe). */
const ifNotFound = (test: string, regex: string): string[] => [
  `if (${test} "${regex.replace(/\\/g, '\\\\')}") {`,
  '  return 404;',
  '}',
]

/** Indent a block's lines by two spaces per level. */
const block = (head: string, lines: string[]): string[] => [
  `${head} {`,
  ...lines.map((l) => (l ? `  ${l}` : l)),
  '}',
]

function hostPort(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new NginxConfigError(`listen port must be 1–65535: ${port}`)
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new NginxConfigError(`bad listen host: ${host}`)
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

function authTarget(authUpstream: string): {server: string; scheme: string; path: string} {
  let url: URL
  try {
    url = new URL(authUpstream)
  } catch {
    throw new NginxConfigError(`authUpstream is not a URL: ${authUpstream}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new NginxConfigError(`authUpstream must be http or https: ${authUpstream}`)
  if (url.username || url.password || url.search || url.hash)
    throw new NginxConfigError(`authUpstream must be a plain base URL: ${authUpstream}`)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return {
    server: `${url.hostname}:${port}`,
    scheme: url.protocol.slice(0, -1),
    path: `${url.pathname.replace(/\/+$/, '')}${AUTH_PATH}`,
  }
}

// --- the configuration ---------------------------------------------------------------------------

/**
 * The per-file-name media types (rss.xml → application/rss+xml…) as regex locations: at the top
 * level for public files, and again nested in the partner area, so they keep its token check.
 */
function nameLocations(names: ReturnType<typeof nginxTypes>['names']): string[] {
  return names.flatMap(({name, base}) =>
    block(`location ~ /${regexEscape(name)}$`, [
      'types {}',
      `default_type ${base};`,
      'try_files $uri =404;',
    ]),
  )
}

/** A complete standalone nginx configuration for `opts.out` (see the module doc). */
export function nginxConfig(opts: NginxConfigOptions): string {
  const out = absolute(opts.out, 'out')
  const {prefix} = opts
  absolute(prefix, 'prefix')
  const at = (name: string) => quote(join(prefix, name), 'prefix')
  const auth = authTarget(opts.authUpstream)
  const types = nginxTypes()
  const names = nameLocations(types.names)
  const generatedBy = opts.generatedBy ?? 'npm run serve -- --nginx-config <file>'

  const main = [
    `# nginx configuration serving ${opts.out}`,
    `# Generated by scripts/serve/nginx.ts (${generatedBy}) from scripts/serve/rules.ts;`,
    '# change those, not this file. Run it as a user that can read the output folder',
    '# (started as root, nginx runs its workers as the `user` option, default nobody):',
    `#   nginx -p ${prefix} -c <this file> -g 'daemon off;'`,
    `# Partner folders need the Node feed server (npm run serve) answering ${opts.authUpstream}${AUTH_PATH}.`,
    '',
    ...(opts.brotliModule ? [`load_module ${absolute(opts.brotliModule, 'brotliModule')};`] : []),
    ...(opts.user ? [`user ${opts.user};`] : []),
    `worker_processes ${opts.workerProcesses ?? 'auto'};`,
    `pid ${at('nginx.pid')};`,
    `error_log ${at('error.log')} warn;`,
    '',
    ...block('events', ['worker_connections 1024;']),
    '',
  ]

  const http = [
    '# Request-level errors carry the request line, query string (a secret URL token) included.',
    `error_log ${at('error.log')} emerg;`,
    'log_not_found off;',
    'log_format skincare_feeds \'$remote_addr [$time_local] "$request_method $uri $server_protocol" \'',
    "                          '$status $body_bytes_sent $request_time auth=$skincare_auth_status '",
    '                          \'"$http_user_agent"\';',
    `access_log ${at('access.log')} skincare_feeds;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `${t}_temp_path ${at(`${t}_temp`)};`,
    ),
    '',
    '# Bounds: a read-only file server takes no bodies and small headers.',
    'client_max_body_size 1k;',
    'client_header_buffer_size 1k;',
    'large_client_header_buffers 4 8k;',
    'client_header_timeout 10s;',
    'client_body_timeout 10s;',
    'send_timeout 30s;',
    'keepalive_timeout 30s;',
    'keepalive_requests 1000;',
    'server_tokens off;',
    'sendfile on;',
    'tcp_nopush on;',
    '',
    '# Media types: rules.ts MEDIA_TYPES (per format file name in the locations below).',
    ...block(
      'types',
      types.extensions.map(({ext, base}) => `${base} ${ext};`),
    ),
    'default_type application/octet-stream;',
    'charset utf-8;',
    `charset_types ${types.charsetTypes.join(' ')};`,
    '',
    '# Validators: Last-Modified and ETag from the file; a date at or after it is a 304.',
    'etag on;',
    'if_modified_since before;',
    '',
    'gzip on;',
    'gzip_vary on;',
    'gzip_proxied any;',
    'gzip_comp_level 5;',
    `gzip_min_length ${MIN_COMPRESS_BYTES};`,
    `gzip_types ${types.compressTypes.join(' ')};`,
    ...(opts.brotliModule
      ? [
          'brotli on;',
          'brotli_comp_level 5;',
          `brotli_min_length ${MIN_COMPRESS_BYTES};`,
          `brotli_types ${types.compressTypes.join(' ')};`,
        ]
      : []),
    '',
    '# Cache-Control: rules.ts CACHE_CONTROL, by path prefix.',
    ...block('map $uri $skincare_cache_control', [
      ...CACHE_CLASSES.map((c) => `~${c.regex} ${quote(c.value, 'cache')};`),
      `default ${quote(DEFAULT_CACHE_CONTROL, 'cache')};`,
    ]),
    '',
    ...block('upstream skincare_partner_auth', [`server ${auth.server};`, 'keepalive 8;']),
    '',
    ...block('server', [
      `listen ${hostPort(opts.listen.host, opts.listen.port)};`,
      `root ${out};`,
      'autoindex off;',
      'disable_symlinks on from=$document_root;',
      'add_header Cache-Control $skincare_cache_control;',
      'add_header X-Content-Type-Options nosniff;',
      '',
      '# Traversal and encoded-path tricks, the absolute form, and requests nginx refuses as',
      '# malformed (400) are 404s, as on the Node server. (A named location cannot take the',
      '# 400s: a bad request line leaves nginx no URI to redirect.)',
      ...ifNotFound('$request_uri ~*', TRICK_TARGET),
      ...ifNotFound('$request ~', ABSOLUTE_FORM),
      'error_page 400 =404 /_skincare_not_found;',
      ...block('location = /_skincare_not_found', ['internal;', 'return 404;']),
      '',
      '# The partner area asks the Node server. Its 403 (a token that does not open the folder)',
      '# becomes the 404 the Node server answers itself.',
      '# Regex locations are tried in order after the prefix one (which has no nested ones), so',
      '# the partner area comes first and its nested per-name locations keep the check.',
      ...block(`location ~* ${PARTNER_AREA}`, [
        `auth_request ${AUTH_PATH};`,
        'auth_request_set $skincare_auth_status $upstream_status;',
        'error_page 403 =404 /_skincare_not_found;',
        'try_files $uri =404;',
        ...names,
      ]),
      ...names,
      ...block('location /', ['try_files $uri =404;']),
      '',
      '# The token check, answered by the Node feed server: the target and Authorization only.',
      ...block(`location = ${AUTH_PATH}`, [
        'internal;',
        `proxy_pass ${auth.scheme}://skincare_partner_auth${auth.path};`,
        'proxy_http_version 1.1;',
        'proxy_pass_request_body off;',
        'proxy_pass_request_headers off;',
        'proxy_set_header Connection "";',
        'proxy_set_header X-Original-URI $request_uri;',
        'proxy_set_header Authorization $http_authorization;',
        'proxy_connect_timeout 2s;',
        'proxy_send_timeout 5s;',
        'proxy_read_timeout 5s;',
      ]),
    ]),
  ]

  return `${[...main, ...block('http', http)].join('\n')}\n`
}

/** The brotli filter module in `modulesDir`, if Debian's libnginx-mod-http-brotli-filter is there. */
function findBrotliModule(modulesDir: string = DEBIAN_MODULES_DIR): string | undefined {
  const path = join(modulesDir, BROTLI_FILTER)
  return existsSync(path) ? path : undefined
}

export interface WriteNginxConfigOptions extends Omit<
  NginxConfigOptions,
  'brotliModule' | 'prefix'
> {
  /** Default: a folder beside the file, named after it (`feeds.conf` → `feeds-nginx/`). */
  prefix?: string
  /** A module path, false for gzip only, or undefined: load it from `modulesDir` when present. */
  brotliModule?: string | false
  /** Where to look for the brotli module (default Debian's, DEBIAN_MODULES_DIR). */
  modulesDir?: string
}

/** The prefix folder writeNginxConfig uses for `file` unless told otherwise. */
const defaultNginxPrefix = (file: string): string => `${resolve(file).replace(/\.conf$/, '')}-nginx`

/**
 * Write the configuration to `file` atomically (temp file, rename) and create its prefix folder;
 * relative paths are resolved from the working folder. Returns what it wrote.
 */
export function writeNginxConfig(
  file: string,
  opts: WriteNginxConfigOptions,
): {file: string; prefix: string; text: string} {
  const {modulesDir, brotliModule, ...rest} = opts
  const target = resolve(file)
  const prefix = resolve(opts.prefix ?? defaultNginxPrefix(target))
  const text = nginxConfig({
    ...rest,
    out: resolve(opts.out),
    prefix,
    ...(brotliModule === false ? {} : {brotliModule: brotliModule ?? findBrotliModule(modulesDir)}),
  })
  mkdirSync(prefix, {recursive: true})
  mkdirSync(dirname(target), {recursive: true})
  const tmp = `${target}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, target)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
  return {file: target, prefix, text}
}
