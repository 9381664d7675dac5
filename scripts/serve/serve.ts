/**
 * `npm run serve`'s process: the local API (the Studio and clients write through it), the publisher
 * (`npm run export -- --watch`) on the same dataset, the feed server over the output folder (on a
 * thread of its own, so a publish never holds a request), and partner pushes after every publish.
 * Each part is its own module; this only wires them.
 */
import {resolve} from 'node:path'
import {launchApi, type ApiReadyInfo} from '../api/launch.ts'
import {CommitSignal} from '../feeds/commitSignal.ts'
import {publishedViewPath} from '../feeds/export.ts'
import {runPublisher, type PublishReport} from '../feeds/publisher.ts'
import {partnerDocument} from '../partner/partners.ts'
import {isPublishedContentId} from '../store/ids.ts'
import {Dataset} from '../store/dataset.ts'
import {credentialsPath} from './credentials.ts'
import {writeNginxConfig} from './nginx.ts'
import {createPusher, type PushEvent} from './push/index.ts'
import {startFeedServerThread} from './thread.ts'

/** The feed server's port unless told otherwise (the API keeps its own, 3334 and 3335). */
export const DEFAULT_FEEDS_PORT = 3480

export interface ServeOptions {
  datasetPath: string
  out: string
  /** Feed server port; 0 = any free port, for the API's ports too. */
  port?: number
  /** Where the feeds are served from the outside (default: the feed server's own URL). */
  feedsBaseUrl?: string
  /** Also write an nginx configuration serving `out` with the same rules, checking tokens here. */
  nginxConfig?: string
  nginxPort?: number
  signal: AbortSignal
  onReady: (info: ServeInfo) => void
  onPublish: (report: PublishReport) => void
  onPublishError: (error: unknown) => void
  onPush: (event: PushEvent) => void
  onProgress: (message: string) => void
  /** One line per feed request: method, path without its query, status, ms. */
  logRequest?: (line: string) => void
}

/** What `--json` prints once the first publish is in place. */
export interface ServeInfo {
  feedsUrl: string
  apiUrl: string
  apiHttpUrl: string | undefined
  dataset: string
  datasetPath: string
  projectId: string
  /** The local API's write token (the Studio's); partner tokens are never printed here. */
  token: string
  caCert: string
  out: string
  nginxConfig?: string
}

/** Enabled state and notify URL of the published partner documents (the published view's). */
const publishedPartners = (view: Dataset) =>
  view
    .documents({types: ['partner']})
    .filter((d) => isPublishedContentId(d._id))
    .flatMap((d) => {
      const partner = partnerDocument(d)
      if (!partner) return []
      const {name, enabled, notifyUrl} = partner
      return [{name, enabled, ...(notifyUrl ? {notifyUrl} : {})}]
    })

/** Run until `signal` aborts; resolves once everything has stopped. */
export async function serve(opts: ServeOptions): Promise<void> {
  const out = resolve(opts.out)
  const anyPort = opts.port === 0
  const api = await launchApi({
    datasetPath: opts.datasetPath,
    ...(anyPort ? {httpsPort: 0, httpPort: 0} : {}),
  })
  const creds = credentialsPath(opts.datasetPath)
  // The publisher commits on this thread, the feed server reads on its own: the signal keeps a
  // reader from opening a file in the middle of a commit.
  const commits = new CommitSignal()
  let view: Dataset | undefined
  try {
    const feeds = await startFeedServerThread({
      out,
      commits: commits.buffer,
      credentialsPath: creds,
      port: opts.port ?? DEFAULT_FEEDS_PORT,
      ...(opts.logRequest ? {logRequest: opts.logRequest} : {}),
      onWarning: (message) => opts.onProgress(`feeds: ${message}`),
    })
    try {
      const feedsUrl = opts.feedsBaseUrl ?? feeds.url
      if (opts.nginxConfig)
        writeNginxConfig(opts.nginxConfig, {
          out,
          authUpstream: feeds.url,
          listen: {host: '127.0.0.1', port: opts.nginxPort ?? 8080},
        })
      const pusher = createPusher({
        out,
        stateDir: `${opts.datasetPath}-deliveries`,
        credentialsPath: creds,
        feedsUrl,
        partners: () => {
          view ??= Dataset.open(publishedViewPath(opts.datasetPath, out))
          return publishedPartners(view)
        },
        onEvent: opts.onPush,
      })
      let ready = false
      try {
        await runPublisher({
          dataset: opts.datasetPath,
          out,
          ...(opts.feedsBaseUrl ? {feedsBaseUrl: opts.feedsBaseUrl} : {}),
          write: {commitSignal: commits},
          signal: opts.signal,
          onProgress: opts.onProgress,
          onError: opts.onPublishError,
          onPublish: (report) => {
            opts.onPublish(report)
            if (!ready) {
              ready = true
              opts.onReady(readyInfo(api.info, feedsUrl, out, opts.nginxConfig))
            }
            pusher
              .published()
              .catch((e: unknown) => opts.onProgress(`push: ${(e as Error).message}`))
          },
        })
      } finally {
        await pusher.close()
      }
    } finally {
      await feeds.close()
    }
  } finally {
    view?.close()
    await api.close()
  }
}

function readyInfo(
  api: ApiReadyInfo,
  feedsUrl: string,
  out: string,
  nginxConfig: string | undefined,
): ServeInfo {
  return {
    feedsUrl,
    apiUrl: api.url,
    apiHttpUrl: api.httpUrl,
    dataset: api.dataset,
    datasetPath: api.datasetPath,
    projectId: api.projectId,
    token: api.token,
    caCert: api.caCert,
    out,
    ...(nginxConfig ? {nginxConfig} : {}),
  }
}
