/**
 * Bring the local API up over a dataset file: open the dataset, make sure the token and the
 * certificates exist, start both servers. Shared by `npm run api` and `npm run studio`.
 */
import {join} from 'node:path'
import {ROOT} from '../lib/paths.ts'
import {Dataset} from '../store/dataset.ts'
import {loadOrCreateToken, newToken} from './auth.ts'
import {startApiServer, type RunningApi, type StaticHandler} from './server.ts'
import {ensureTls, type TlsMaterial} from './tls.ts'
import {LOCAL_PROJECT_ID} from '../studio/local.ts'

/** Certificates live here unless told otherwise (ignored by git with the rest of .data/). */
export const DEFAULT_TLS_DIR = join(ROOT, '.data', 'tls')

export interface LaunchOptions {
  datasetPath: string
  httpsPort?: number
  httpPort?: number | false
  tlsDir?: string
  allowedOrigins?: string[]
  staticHandler?: StaticHandler
  pollMs?: number
  log?: (message: string) => void
  logRequests?: boolean
  /** Longest a GROQ query may run, in ms (default 10 s). */
  queryTimeoutMs?: number
}

/** What the CLIs print as their one `--json` line (plus their own fields). */
export interface ApiReadyInfo {
  /** HTTPS API base for clients (`useProjectHostname: false, apiHost: url`); needs `caCert` trusted. */
  url: string
  /** Plain-HTTP API base for Node clients (no certificate involved). */
  httpUrl: string | undefined
  /** The HTTPS base as browsers see it; the Studio talks to `https://<projectId>.localhost:PORT`. */
  browserUrl: string
  projectId: string
  dataset: string
  /** Write token (Authorization: Bearer …). */
  token: string
  /** The local CA certificate (e.g. NODE_EXTRA_CA_CERTS for HTTPS from Node). */
  caCert: string
  datasetPath: string
}

export interface LaunchedApi {
  api: RunningApi
  ds: Dataset
  tls: TlsMaterial
  info: ApiReadyInfo
  close(): Promise<void>
}

export async function launchApi(opts: LaunchOptions): Promise<LaunchedApi> {
  const tls = ensureTls(opts.tlsDir ?? DEFAULT_TLS_DIR, LOCAL_PROJECT_ID)
  const ds = Dataset.open(opts.datasetPath)
  try {
    const token = opts.datasetPath === ':memory:' ? newToken() : loadOrCreateToken(opts.datasetPath)
    const api = await startApiServer({
      ds,
      token,
      tls,
      ...(opts.httpsPort !== undefined ? {httpsPort: opts.httpsPort} : {}),
      ...(opts.httpPort !== undefined ? {httpPort: opts.httpPort} : {}),
      ...(opts.allowedOrigins ? {allowedOrigins: opts.allowedOrigins} : {}),
      ...(opts.staticHandler ? {staticHandler: opts.staticHandler} : {}),
      ...(opts.pollMs ? {pollMs: opts.pollMs} : {}),
      ...(opts.log ? {log: opts.log} : {}),
      ...(opts.logRequests ? {logRequests: true} : {}),
      ...(opts.queryTimeoutMs !== undefined ? {queryTimeoutMs: opts.queryTimeoutMs} : {}),
    })
    const info: ApiReadyInfo = {
      url: api.url,
      httpUrl: api.httpUrl,
      browserUrl: api.browserUrl,
      projectId: api.projectId,
      dataset: api.datasetName,
      token,
      caCert: tls.caCertPath,
      datasetPath: opts.datasetPath,
    }
    return {
      api,
      ds,
      tls,
      info,
      async close() {
        await api.close()
        ds.close()
      },
    }
  } catch (e) {
    ds.close()
    throw e
  }
}

/** Run until SIGTERM/SIGINT, then close cleanly and exit 0. */
export function closeOnSignals(
  close: () => Promise<void>,
  onClose: () => void = () => {},
): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      void close().then(() => {
        onClose()
        resolve()
      })
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
}
