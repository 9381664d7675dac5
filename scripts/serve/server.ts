/**
 * The feed server: the output folder (web/, app/, feeds/, schemas/, manifest.json, partners/) over
 * HTTP, read-only, GET and HEAD. Everything is public except `partners/<name>/…`, which needs that
 * partner's token (access.ts); a wrong token is answered like a missing file, 404. No directory
 * listings; traversal and encoded-path tricks are 404 (target.ts, files.ts); bad percent-encoding
 * is 400. Strong sha256 ETags, Last-Modified, 304s, Cache-Control and Content-Type from rules.ts,
 * br and gzip by Accept-Encoding (respond.ts, representation.ts).
 *
 * Why fastify with @fastify/compress and a file route of our own, not @fastify/static (and
 * @fastify/etag): @fastify/static serves through `send`, whose ETags are weak (size and mtime) and
 * which stats and opens a file by path, so during a publish the tag and the body can come from two
 * different trees; @fastify/etag hashes every body again on every response, 304s included. Here
 * the tag is the sha256 of the bytes read from the same open fd that is sent, cached by file
 * identity, so a 304 costs a stat and a tag always matches its body.
 *
 * For nginx's `auth_request`, GET AUTH_PATH with the original request's URI in `X-Original-URI`
 * (and its Authorization header) answers with no body: 204 when the file route would serve the
 * path (public, or the partner's own token), 401 with `WWW-Authenticate` when it would answer 401,
 * and 403 where it would answer 404 before looking at the disk (a wrong token, a refused path, no
 * X-Original-URI): auth_request passes only 2xx, 401 and 403, so nginx maps that 403 to 404.
 */
import compress from '@fastify/compress'
import {CommitSignal} from '../feeds/commitSignal.ts'
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import {accessOf, CredentialsWatch, type Access} from './access.ts'
import {DigestCache} from './digests.ts'
import {OutputFolder} from './files.ts'
import {sendFile, type FileSource} from './respond.ts'
import {AUTH_PATH, requestToken} from './rules.ts'
import {MalformedTargetError, parseTarget, pathOfTarget} from './target.ts'

export interface FeedServerOptions {
  /** The output folder (the exporter's dist/). */
  out: string
  /** The partner credentials file (credentials.ts credentialsPath of the dataset). */
  credentialsPath: string
  host?: string
  /** 0 = any free port. */
  port?: number
  /** One line per request: method, path without its query, status, ms. Never a token. */
  logRequest?: (line: string) => void
  /** What an operator should see: unreadable credentials, an internal error. Never a token. */
  onWarning?: (message: string) => void
  /** The publisher's commit signal's memory, when it commits on another thread (commitSignal.ts). */
  commits?: SharedArrayBuffer
}

export interface FeedServer {
  url: string
  port: number
  close(): Promise<void>
}

const CHALLENGE = 'Bearer realm="partners"'
/** Longest path a log line shows. */
const LOGGED_PATH_CHARS = 300

/** Status of a request for `target` before any file is opened (the file route and auth_request share it). */
function accessOfTarget(
  target: string,
  authorization: string | undefined,
  credentials: CredentialsWatch,
): {path: string | undefined; access: Access} {
  const {path, query} = parseTarget(target)
  if (path === undefined) return {path, access: 'denied'}
  return {path, access: accessOf(path, requestToken(authorization, query), credentials.current())}
}

function refuse(reply: FastifyReply, access: 'unauthenticated' | 'denied', deniedStatus: number) {
  reply.header('cache-control', 'private, no-store')
  if (access === 'unauthenticated')
    return reply.code(401).header('www-authenticate', CHALLENGE).send()
  return reply.code(deniedStatus).send()
}

/** The fastify instance, routes registered, not listening (tests call `listen` or `inject`). */
export function buildFeedServer(opts: FeedServerOptions): FastifyInstance {
  const warn = opts.onWarning ?? (() => {})
  const logRequest = opts.logRequest
  const log = (request: FastifyRequest, reply: FastifyReply) =>
    logRequest?.(
      `${request.method} ${pathOfTarget(request.raw.url ?? '').slice(0, LOGGED_PATH_CHARS)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`,
    )
  const app = Fastify({
    logger: false,
    // HEAD is answered by the file route itself, from a stat: an automatic HEAD route would read
    // (and compress) the whole body only to drop it.
    exposeHeadRoutes: false,
    bodyLimit: 1024,
    requestTimeout: 10_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    http: {headersTimeout: 5_000, maxHeaderSize: 16 * 1024},
    return503OnClosing: true,
    // A path the router cannot decode (bad percent-encoding): 400 with no body, logged here
    // because no route and so no hook sees it. The default body would echo the path.
    frameworkErrors: (error, request, routerReply) => {
      const reply = routerReply as unknown as FastifyReply
      reply.raw.once('finish', () => log(request, reply))
      return reply.code(error.statusCode ?? 400).send()
    },
  })
  const source: FileSource = {
    folder: new OutputFolder(opts.out, opts.commits && new CommitSignal(opts.commits)),
    digests: new DigestCache(),
  }
  const credentials = new CredentialsWatch(opts.credentialsPath, warn)

  if (logRequest)
    app.addHook('onResponse', (request, reply, done) => {
      log(request, reply)
      done()
    })
  app.setNotFoundHandler((_request, reply) => reply.code(404).send())
  app.setErrorHandler((error: Error & {statusCode?: number}, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 500) warn(`${request.method} ${pathOfTarget(request.url)}: ${error.message}`)
    return reply.code(status >= 400 && status < 500 ? status : 500).send()
  })

  // Compression first, so its onRoute hook sees the routes of the scope below.
  void app.register(compress, {global: true, threshold: 0, customTypes: () => true})
  void app.register(async (scope) => {
    scope.route({
      method: ['GET', 'HEAD'],
      url: AUTH_PATH,
      compress: false,
      handler: (request: FastifyRequest, reply: FastifyReply) => {
        const uri = request.headers['x-original-uri']
        let access: Access = 'denied'
        if (typeof uri === 'string') {
          try {
            access = accessOfTarget(uri, request.headers.authorization, credentials).access
          } catch (e) {
            if (!MalformedTargetError.is(e)) throw e
          }
        }
        if (access === 'public' || access === 'granted') return reply.code(204).send()
        return refuse(reply, access, 403)
      },
    })
    scope.route({
      method: ['GET', 'HEAD'],
      url: '/*',
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const {path, access} = accessOfTarget(
          request.raw.url ?? '',
          request.headers.authorization,
          credentials,
        )
        if (path === undefined) return reply.code(404).send()
        if (access === 'unauthenticated' || access === 'denied') return refuse(reply, access, 404)
        return sendFile(source, request, reply, path)
      },
    })
  })
  return app
}

/** Build and listen; `url` is the base to request files from (`${url}/feeds/rss.xml`). */
export async function startFeedServer(opts: FeedServerOptions): Promise<FeedServer> {
  const app = buildFeedServer(opts)
  const host = opts.host ?? '127.0.0.1'
  await app.listen({host, port: opts.port ?? 0})
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0)
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {url: `http://${shownHost}:${port}`, port, close: () => app.close()}
}
