/**
 * `npm run studio -- [--dataset <path>] [--port <n>] [--json]`: the Studio on the local
 * dataset in one command — builds the Studio (cached), starts the local API serving that
 * build on the same HTTPS origin, makes the local CA trusted by the user's browsers, and
 * prints the URL with a login token.
 */
import {closeOnSignals, DEFAULT_TLS_DIR, launchApi} from '../api/launch.ts'
import {DEFAULT_HTTPS_PORT} from '../api/server.ts'
import {portOption} from '../api/options.ts'
import {manualTrustSteps, trustCa, type TrustResult} from '../api/trust.ts'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {DEFAULT_STUDIO_DIR, ensureStudioBuild} from './build.ts'
import {serveStudio} from './static.ts'

const spec = {
  usage: 'npm run studio -- [--dataset <path>] [--port <n>] [--json] [--rebuild] [--skip-trust]',
  summary:
    'Starts Sanity Studio on the embedded dataset: builds it once (cached in studio-dist/), serves it and the local API from https://localhost:<port>, adds the local certificate authority to your browsers (NSS databases via certutil) and prints a login URL. Runs until SIGTERM.',
  options: {
    dataset: {type: 'string'},
    port: {type: 'string'},
    'http-port': {type: 'string'},
    'tls-dir': {type: 'string'},
    'studio-dir': {type: 'string'},
    rebuild: {type: 'boolean'},
    'skip-trust': {type: 'boolean'},
    json: {type: 'boolean'},
    verbose: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    port: `HTTPS port for the Studio and the API (default ${DEFAULT_HTTPS_PORT}; 0 = any free port)`,
    'http-port': 'Plain-HTTP API port for Node clients (default: HTTPS port + 1)',
    'tls-dir': `Local CA and certificate directory (default ${DEFAULT_TLS_DIR})`,
    'studio-dir': `Where the built Studio is cached (default ${DEFAULT_STUDIO_DIR})`,
    rebuild: 'Build the Studio even if the cached build is current',
    'skip-trust':
      'Do not add the local CA to browser certificate stores (print the manual step instead)',
    json: 'Once ready, print one JSON line: url, httpUrl, projectId, dataset, token, studioUrl, loginUrl, trust',
    verbose: 'Log every request (method, host, path, status) on stderr',
    quiet: 'No progress lines on stderr',
  },
} as const

function trustLines(trust: TrustResult, caCert: string): string[] {
  const lines = trust.databases.map(
    (d) =>
      `  certificate ${d.status === 'failed' ? `NOT added to ${d.dir}: ${d.message ?? ''}` : `${d.status}: ${d.dir}`}`,
  )
  if (trust.databases.some((d) => d.status === 'added'))
    lines.push(
      '  (restart the browser if it is open, so it picks up the new certificate authority)',
    )
  if (!trust.trusted)
    lines.push(
      `  Browsers do not trust ${caCert} yet. Run once, then restart the browser:`,
      ...trust.instructions.map((c) => `    ${c}`),
    )
  return lines
}

await runCli(async () => {
  const {values} = parseCli(spec)
  disableTelemetry()
  const httpsPort = portOption(values.port, 'port')
  const httpPort = portOption(values['http-port'], 'http-port')
  progress('studio: checking the Studio build')
  const build = await ensureStudioBuild({
    ...(values['studio-dir'] ? {dir: values['studio-dir']} : {}),
    force: Boolean(values.rebuild),
    log: (line) => progress(`  ${line}`),
  })
  progress(
    build.built
      ? `studio: built into ${build.dir}`
      : `studio: using the cached build in ${build.dir}`,
  )
  const launched = await launchApi({
    datasetPath: values.dataset ?? DEFAULT_DATASET,
    staticHandler: serveStudio(build.dir),
    ...(httpsPort !== undefined ? {httpsPort} : {}),
    ...(httpPort !== undefined ? {httpPort} : {}),
    ...(values['tls-dir'] ? {tlsDir: values['tls-dir']} : {}),
    ...(values.verbose ? {logRequests: true} : {}),
  })
  const {info} = launched
  if (launched.ds.count() === 0)
    progress(`note: ${info.datasetPath} is empty; \`npm run import\` loads the sample article`)
  const trust: TrustResult = values['skip-trust']
    ? {databases: [], trusted: false, instructions: manualTrustSteps(info.caCert)}
    : trustCa(info.caCert)
  const studioUrl = `${info.browserUrl}/local`
  const loginUrl = `${studioUrl}#token=${info.token}`
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ok: true, ...info, studioUrl, loginUrl, trust})}\n`)
  } else {
    process.stdout.write(
      [
        `Sanity Studio on ${info.datasetPath}`,
        `  Open (logs you in): ${loginUrl}`,
        `  Studio:             ${studioUrl}`,
        `  API:                ${info.url} (HTTP/2), ${info.httpUrl ?? 'no plain HTTP'} (plain HTTP)`,
        ...trustLines(trust, info.caCert),
        '',
      ].join('\n'),
    )
  }
  progress('studio: ready; stop with Ctrl-C or SIGTERM')
  await closeOnSignals(launched.close, () => progress('studio: stopped'))
  return 0
})
