/**
 * The local Sanity-compatible API over the embedded dataset, on loopback only:
 * - HTTPS with HTTP/2 for browsers: the Studio keeps many `/data/listen` streams open, and over
 *   HTTP/1.1 Chrome's six connections per host run out (documents hang on "connecting");
 * - plain HTTP/1.1 on a second port for Node clients, which need no certificate then.
 * Both serve the same routes; non-API paths may be handed to a static handler (the built Studio).
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http'
import {createSecureServer, type Http2SecureServer} from 'node:http2'
import type {AddressInfo, Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import {PipelineError} from '../lib/errors.ts'
import {LOCAL_DATASET, LOCAL_PROJECT_ID} from '../studio/local.ts'
import type {Dataset} from '../store/dataset.ts'
import {authenticate, LOCAL_USER, redactToken} from './auth.ts'
import {
  answerPreflight,
  applyCorsHeaders,
  checkOrigin,
  corsPolicy,
  hostAllowed,
  studioOrigins,
  type CorsPolicy,
} from './cors.ts'
import {toHttpError} from './errors.ts'
import {
  BODY_TIMEOUT_MS,
  drainRest,
  hostName,
  HttpError,
  parseJson,
  readBody,
  sendError,
  splitApiVersion,
  type Req,
  type Res,
} from './http.ts'
import {WebhookDelivery, type WebhookOptions} from './hooks/delivery.ts'
import {ListenHub, type ListenLimits} from './listen/hub.ts'
import {QueryService, type QueryServiceOptions} from './queryService.ts'
import {matchRoute} from './router.ts'
import {routes} from './routes/index.ts'
import {presenceSockets} from './routes/socket.ts'
import type {ApiContext, RequestContext} from './types.ts'

export const LOOPBACK = '127.0.0.1'
export const DEFAULT_HTTPS_PORT = 3334
/** Longest an HTTP/1.1 request may take to arrive: its longest body, plus time for the headers. */
const REQUEST_TIMEOUT_MS = BODY_TIMEOUT_MS + 10_000

/** Serves a non-API path (e.g. the built Studio); resolves false when it has nothing for it. */
export type StaticHandler = (req: Req, res: Res, pathname: string) => Promise<boolean> | boolean

export interface ApiServerOptions {
  ds: Dataset
  token: string
  tls: {key: string; cert: string}
  projectId?: string
  datasetName?: string
  /** HTTPS port; 0 picks a free one. Default 3334. */
  httpsPort?: number
  /** Plain HTTP port; 0 picks a free one, `false` disables it. Default: HTTPS port + 1 (or 0). */
  httpPort?: number | false
  /** Browser origins allowed to call the API. Default: the Studio's (see cors.ts). */
  allowedOrigins?: string[]
  staticHandler?: StaticHandler
  /** How often other processes' writes are looked for, in ms. */
  pollMs?: number
  log?: (message: string) => void
  /** Log one line per request (method, path, status) — to see what a new Studio version calls. */
  logRequests?: boolean
  /** Longest a GROQ query may run before it is stopped with a 400 (default 10 s; see queryService.ts). */
  queryTimeoutMs?: number
  /** The query workers' other limits: pool size, memory, result and params size, queues. */
  queryOptions?: Omit<QueryServiceOptions, 'timeoutMs'>
  /** Caps on listen streams: how many, unread bytes, backlog (defaults in listen/hub.ts). */
  listenLimits?: ListenLimits
  /** Webhook delivery: timeouts, retries, concurrency (defaults in hooks/delivery.ts). */
  webhooks?: WebhookOptions
}

export interface RunningApi {
  httpsPort: number
  httpPort: number | undefined
  /** `https://127.0.0.1:PORT`: the API base for clients (certificate covers the IP). */
  url: string
  /** `https://localhost:PORT`: what browsers and the Studio use. */
  browserUrl: string
  httpUrl: string | undefined
  projectId: string
  datasetName: string
  context: ApiContext
  close(): Promise<void>
}

/** A port that cannot be bound (usually: another API or Studio is running on it). */
export class PortInUseError extends PipelineError {
  override readonly code = 'PORT_IN_USE'
}

function listen(server: HttpServer | Http2SecureServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new PortInUseError(
              `port ${port} on ${LOOPBACK} is in use (another \`npm run api\` or \`npm run studio\`?); choose another with --port`,
            )
          : e,
      )
    server.once('error', failed)
    server.listen(port, LOOPBACK, () => {
      server.off('error', failed)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function makeHandler(
  app: ApiContext,
  token: string,
  cors: () => CorsPolicy,
  staticHandler: StaticHandler | undefined,
  logRequests: boolean,
) {
  return async (req: Req, res: Res): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase()
    // Path only: query strings may carry GROQ parameters, and nothing here may ever log a token.
    if (logRequests)
      res.once('finish', () =>
        app.log(`${method} ${hostName(req)} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`),
      )
    try {
      if (!hostAllowed(req))
        throw new HttpError(421, 'This server only answers on localhost', 'misdirectedRequest')
      const verdict = checkOrigin(cors(), req)
      if (verdict === 'refused')
        throw new HttpError(403, 'Origin not allowed by the local API (CORS)', 'corsOriginError')
      if (method === 'OPTIONS') return answerPreflight(req, res)
      applyCorsHeaders(req, res)
      const url = new URL(req.url ?? '/', 'http://localhost')
      const api = splitApiVersion(url.pathname)
      if (!api) {
        if (
          staticHandler &&
          (method === 'GET' || method === 'HEAD') &&
          (await staticHandler(req, res, url.pathname))
        )
          return
        throw new HttpError(
          404,
          `Not found: ${url.pathname} (API paths start with /v<apiVersion>/)`,
          'notFound',
        )
      }
      const match = matchRoute(routes, method, api.path)
      if (!match) {
        app.log(`no route: ${method} ${api.path}`)
        throw new HttpError(404, `The local API has no endpoint ${method} ${api.path}`, 'notFound')
      }
      const authenticated = authenticate(req, token)
      if (match.route.access === 'token' && !authenticated)
        throw new HttpError(
          401,
          'This endpoint needs the dataset token (Authorization: Bearer <token>)',
          'unauthorized',
        )
      let body: Promise<unknown> | undefined
      const ctx: RequestContext = {
        req,
        res,
        method,
        url,
        path: api.path,
        apiVersion: api.apiVersion,
        params: match.params,
        query: url.searchParams,
        authenticated,
        body: () => (body ??= readBody(req).then(parseJson)),
      }
      await match.route.handle(ctx, app)
    } catch (e) {
      const err = redactError(toHttpError(e), token)
      // Path only, as above: a query string may carry GROQ parameters, or a token pasted by mistake.
      if (err.statusCode >= 500)
        app.log(`${method} ${(req.url ?? '').split('?')[0]}: ${(e as Error)?.stack ?? String(e)}`)
      if (!res.headersSent) sendError(res, err)
      else res.end()
    } finally {
      // Answered before the body was read (a 413, a 401, a route that ignores bodies).
      drainRest(req)
    }
  }
}

/** An error answer that cannot echo the token back (e.g. a 404 for a path it was pasted into). */
function redactError(err: HttpError, token: string): HttpError {
  const details = JSON.stringify(err.details)
  if (!err.message.includes(token) && !details.includes(token)) return err
  return new HttpError(
    err.statusCode,
    redactToken(err.message, token),
    err.type,
    JSON.parse(redactToken(details, token)) as Record<string, unknown>,
  )
}

/** Start both servers; resolves once they listen. */
export async function startApiServer(opts: ApiServerOptions): Promise<RunningApi> {
  const write = opts.log ?? ((m: string) => process.stderr.write(`api: ${m}\n`))
  // Whatever a route or a request path puts into a log line, the token never reaches the log.
  const log = (m: string) => write(redactToken(m, opts.token))
  const hub = new ListenHub(opts.ds, {
    log,
    ...(opts.pollMs ? {pollMs: opts.pollMs} : {}),
    ...opts.listenLimits,
  })
  const projectId = opts.projectId ?? LOCAL_PROJECT_ID
  const datasetName = opts.datasetName ?? LOCAL_DATASET
  const queries = new QueryService(opts.ds, {
    ...opts.queryOptions,
    ...(opts.queryTimeoutMs === undefined ? {} : {timeoutMs: opts.queryTimeoutMs}),
  })
  const webhooks = new WebhookDelivery(
    {ds: opts.ds, queries, projectId, datasetName, log},
    {...(opts.pollMs ? {pollMs: opts.pollMs} : {}), ...opts.webhooks},
  )
  const app: ApiContext = {
    ds: opts.ds,
    projectId,
    datasetName,
    user: LOCAL_USER,
    queries,
    hub,
    webhooks,
    keyValue: new Map(),
    log,
  }
  let policy = corsPolicy(opts.allowedOrigins ?? [])
  const handler = makeHandler(
    app,
    opts.token,
    () => policy,
    opts.staticHandler,
    Boolean(opts.logRequests),
  )
  const sockets = presenceSockets({datasetName: app.datasetName, token: opts.token})
  const connections = new Set<Socket>()
  const track = (socket: Socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  }
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const origin = checkOrigin(policy, req)
    if (!hostAllowed(req) || origin === 'refused' || !sockets.handleUpgrade(req, socket, head))
      socket.destroy()
  }

  const secure = createSecureServer(
    {key: opts.tls.key, cert: opts.tls.cert, allowHTTP1: true},
    (req, res) => void handler(req, res),
  )
  secure.on('connection', track)
  secure.on('upgrade', onUpgrade)
  const plain =
    opts.httpPort === false ? undefined : createHttpServer((req, res) => void handler(req, res))
  if (plain) {
    // Node closes idle keep-alive connections after 5 s. A client busy for longer (a migration
    // handler, a script between two calls) then writes into a socket the server just closed —
    // "other side closed" — and @sanity/client retries no POST. Clients close idle sockets well
    // before this (undici after 4 s); the server now leaves that to them.
    plain.keepAliveTimeout = 65_000
    plain.headersTimeout = 66_000
  }
  // Receiving one request (headers and body) may take this long on HTTP/1.1 (the TLS server's
  // HTTP/1.1 side too, though its types omit the field); readBody bounds bodies on HTTP/2 as well.
  // Listen streams are unaffected: their request ends with its headers.
  if (plain) plain.requestTimeout = REQUEST_TIMEOUT_MS
  ;(secure as unknown as {requestTimeout: number}).requestTimeout = REQUEST_TIMEOUT_MS
  plain?.on('connection', track)
  plain?.on('upgrade', onUpgrade)

  let httpsPort: number
  let httpPort: number | undefined
  try {
    httpsPort = await listen(secure, opts.httpsPort ?? DEFAULT_HTTPS_PORT)
    if (plain)
      httpPort = await listen(
        plain,
        typeof opts.httpPort === 'number'
          ? opts.httpPort
          : opts.httpsPort === 0
            ? 0
            : httpsPort + 1,
      )
  } catch (e) {
    if (secure.listening) secure.close()
    hub.close()
    webhooks.close()
    sockets.close()
    throw e
  }
  if (!opts.allowedOrigins) policy = corsPolicy(studioOrigins(httpsPort))
  webhooks.start()

  let closing: Promise<void> | undefined
  return {
    httpsPort,
    httpPort,
    url: `https://${LOOPBACK}:${httpsPort}`,
    browserUrl: `https://localhost:${httpsPort}`,
    httpUrl: httpPort === undefined ? undefined : `http://${LOOPBACK}:${httpPort}`,
    projectId: app.projectId,
    datasetName: app.datasetName,
    context: app,
    close() {
      closing ??= (async () => {
        hub.close()
        webhooks.close()
        sockets.close()
        app.queries.close()
        const done = Promise.all(
          [secure, ...(plain ? [plain] : [])].map(
            (s) => new Promise<void>((r) => s.close(() => r())),
          ),
        )
        // Listen streams and HTTP/2 sessions stay open forever; end them so close() returns.
        for (const socket of connections) socket.destroy()
        await done
      })()
      return closing
    },
  }
}
