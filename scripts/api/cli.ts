/** `npm run api -- [--dataset <path>] [--port <n>] [--json]`: the local Sanity-compatible API. */
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {closeOnSignals, DEFAULT_TLS_DIR, launchApi} from './launch.ts'
import {portOption} from './options.ts'
import {DEFAULT_HTTPS_PORT} from './server.ts'

const spec = {
  usage:
    'npm run api -- [--dataset <path>] [--port <n>] [--http-port <n>] [--query-timeout <ms>] [--json]',
  summary:
    'Serves the embedded dataset over a Sanity-compatible HTTP API on loopback: HTTPS with HTTP/2 (for the Studio; certificate from a local CA made on first run) and plain HTTP on the next port (for Node clients). Reads without the token see published content only; writes need the token. Runs until SIGTERM.',
  options: {
    dataset: {type: 'string'},
    port: {type: 'string'},
    'http-port': {type: 'string'},
    'tls-dir': {type: 'string'},
    'query-timeout': {type: 'string'},
    json: {type: 'boolean'},
    verbose: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    port: `HTTPS port (default ${DEFAULT_HTTPS_PORT}; 0 = any free port)`,
    'http-port': 'Plain-HTTP port (default: HTTPS port + 1, or any free port with --port 0)',
    'tls-dir': `Where the local CA and certificate live (default ${DEFAULT_TLS_DIR})`,
    'query-timeout':
      'Longest a GROQ query may run before it is stopped with a 400, in ms (default 10000)',
    json: 'Once ready, print one JSON line: url, httpUrl, projectId, dataset, token, caCert',
    verbose: 'Log every request (method, host, path, status) on stderr',
    quiet: 'No progress lines on stderr',
  },
} as const

await runCli(async () => {
  const {values} = parseCli(spec)
  const httpsPort = portOption(values.port, 'port')
  const httpPort = portOption(values['http-port'], 'http-port')
  const queryTimeout = values['query-timeout']
  if (queryTimeout !== undefined && !/^[1-9]\d{0,8}$/.test(queryTimeout))
    throw new UsageError(
      `--query-timeout: expected milliseconds (1–999999999), got "${queryTimeout}"`,
    )
  const launched = await launchApi({
    datasetPath: values.dataset ?? DEFAULT_DATASET,
    ...(httpsPort !== undefined ? {httpsPort} : {}),
    ...(httpPort !== undefined ? {httpPort} : {}),
    ...(values['tls-dir'] ? {tlsDir: values['tls-dir']} : {}),
    ...(values.verbose ? {logRequests: true} : {}),
    ...(queryTimeout !== undefined ? {queryTimeoutMs: Number(queryTimeout)} : {}),
  })
  const {info} = launched
  if (launched.ds.count() === 0)
    progress(`note: ${info.datasetPath} is empty; \`npm run import\` loads the sample article`)
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ok: true, ...info})}\n`)
  } else {
    process.stdout.write(
      [
        `Local API for ${info.datasetPath}`,
        `  HTTPS (HTTP/2): ${info.url}   (browsers: ${info.browserUrl}; CA ${info.caCert})`,
        `  HTTP:           ${info.httpUrl ?? '(off)'}`,
        `  projectId ${info.projectId}, dataset ${info.dataset}`,
        `  token: ${info.token}`,
        '',
      ].join('\n'),
    )
  }
  progress('api: ready; stop with Ctrl-C or SIGTERM')
  await closeOnSignals(launched.close, () => progress('api: stopped'))
  return 0
})
