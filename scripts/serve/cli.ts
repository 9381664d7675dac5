/** `npm run serve -- [--dataset <path>] [--out <dir>] [--port <n>] [--nginx-config <file>] [--json]` */
import {existsSync} from 'node:fs'
import {portOption} from '../api/options.ts'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET, DEFAULT_OUT} from '../lib/paths.ts'
import {printPublish, printPublishError, stopOnSignals} from '../feeds/publishLines.ts'
import {describePushEvent} from './push/events.ts'
import {TOKEN_PARAM} from './rules.ts'
import {DEFAULT_FEEDS_PORT, serve} from './serve.ts'

const spec = {
  usage:
    'npm run serve -- [--dataset <path>] [--out <dir>] [--port <n>] [--feeds-base-url <url>] [--nginx-config <file> [--nginx-port <n>]] [--json]',
  summary: `One process for a live site: the local API (the Studio and clients write through it), the publisher (\`npm run export -- --watch\`: every valid change published within about a second) and an HTTP server for the output folder, with partner pushes after each publish.

Web pages, the app bundle, the public feeds and the schemas are public. partners/<name>/ needs that partner's token (\`npm run partner -- token <name>\`): \`Authorization: Bearer <token>\`, or for feed readers that cannot send headers the secret URL \`…/partners/<name>/rss.xml?${TOKEN_PARAM}=<token>\`. Responses carry a strong ETag (the file's sha256), Last-Modified, Cache-Control and the feed's media type; conditional requests get 304; gzip and br by Accept-Encoding. A partner with a notify URL and a webhook secret (\`npm run partner -- webhook-secret <name>\`) gets a signed Standard Webhooks delivery when its files change.

With --nginx-config: also write an nginx configuration that serves the same folder with the same rules, asking this process about partner tokens (auth_request). Runs until SIGINT/SIGTERM: the export under way finishes, then exit 0.`,
  options: {
    dataset: {type: 'string'},
    out: {type: 'string'},
    port: {type: 'string'},
    'feeds-base-url': {type: 'string'},
    'nginx-config': {type: 'string'},
    'nginx-port': {type: 'string'},
    json: {type: 'boolean'},
    verbose: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    out: `Output folder, served and replaced atomically by each publish (default ${DEFAULT_OUT})`,
    port: `Feed server port (default ${DEFAULT_FEEDS_PORT}; 0 = any free port, for the API too)`,
    'feeds-base-url':
      "Where the output folder is reached from outside (feeds' self links, push payload URLs; default the feed server's URL for pushes)",
    'nginx-config': 'Write an nginx configuration for the output folder to this file',
    'nginx-port': 'The port that nginx configuration listens on (default 8080)',
    json: 'Once the first publish is in place, print one JSON line: feedsUrl, apiUrl, apiHttpUrl, dataset, token (the local API token), caCert, out',
    verbose: 'Log every feed request (method, path without its query, status, ms) on stderr',
    quiet: 'No progress lines on stderr',
  },
} as const

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const datasetPath = values.dataset ?? DEFAULT_DATASET
  if (!existsSync(datasetPath))
    throw new UsageError(`dataset not found: ${datasetPath} (run \`npm start\` first)`)
  const port = portOption(values.port, 'port')
  const nginxPort = portOption(values['nginx-port'], 'nginx-port')
  if (nginxPort !== undefined && !values['nginx-config'])
    throw new UsageError('--nginx-port sets the port of the --nginx-config file: use them together')
  const json = Boolean(values.json)
  const stop = stopOnSignals()
  await serve({
    datasetPath,
    out: values.out ?? DEFAULT_OUT,
    ...(port !== undefined ? {port} : {}),
    ...(values['feeds-base-url'] ? {feedsBaseUrl: values['feeds-base-url']} : {}),
    ...(values['nginx-config'] ? {nginxConfig: values['nginx-config']} : {}),
    ...(nginxPort !== undefined ? {nginxPort} : {}),
    signal: stop,
    onReady: (info) => {
      if (json) process.stdout.write(`${JSON.stringify({ok: true, ...info})}\n`)
      progress(`serving ${info.out} on ${info.feedsUrl} (API ${info.apiUrl}, ${info.apiHttpUrl})`)
      if (info.nginxConfig) progress(`nginx configuration written to ${info.nginxConfig}`)
    },
    onPublish: (report) => printPublish(report, false),
    onPublishError: (e) => printPublishError(e, false),
    onPush: (event) => progress(`push: ${describePushEvent(event)}`),
    onProgress: progress,
    ...(values.verbose ? {logRequest: (line: string) => process.stderr.write(`${line}\n`)} : {}),
  })
  progress('serve: stopped')
  return 0
})
