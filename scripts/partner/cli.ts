/**
 * `npm run partner -- token <name> | webhook-secret <name> | list [--dataset <path>] [--json]`:
 * partner credentials. A token or secret is printed once, on stdout only; the credentials file
 * beside the dataset keeps the token's hash (and the secret, which the pusher signs with).
 */
import {resolve} from 'node:path'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {credentialsPath} from '../serve/credentials.ts'
import {TOKEN_PARAM} from '../serve/rules.ts'
import {
  findPartner,
  partnerStatuses,
  rotateToken,
  rotateWebhookSecret,
  type PartnerStatus,
} from './partners.ts'

const spec = {
  usage:
    'npm run partner -- token <name> | webhook-secret <name> | list [--dataset <path>] [--json]',
  summary: [
    "token <name>:          create or rotate a partner's feed token (the old one stops working within a",
    '                       second, on a running server too); shown once, only its hash is kept.',
    "webhook-secret <name>: create or rotate the partner's webhook signing secret (whsec_…), shown once.",
    'list:                  every partner document: enabled, whether a token and a webhook secret are set.',
    'Partners are the published `partner` documents of the dataset; credentials live beside it in',
    '<dataset>-partner-credentials.json (owner-only).',
  ].join('\n'),
  options: {
    dataset: {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    json: 'Print one JSON object on stdout: {"partner","token"}, {"partner","secret"} or the list',
    quiet: 'No progress on stderr',
  },
  positionals: {min: 1, max: 2},
} as const

const COMMANDS = ['token', 'webhook-secret', 'list'] as const
type Command = (typeof COMMANDS)[number]

const yesNo = (b: boolean, yes = 'yes', no = 'no') => (b ? yes : no)

function listText(partners: readonly PartnerStatus[], datasetPath: string): string {
  if (partners.length === 0) return `No partner documents in ${datasetPath}.`
  const rows = partners.map((p) => [
    p.name,
    p.document ? yesNo(p.enabled) : 'no document',
    yesNo(p.tokenSet, 'set', '-'),
    yesNo(p.webhookSecretSet, 'set', '-'),
    p.notifyUrl ?? '-',
    p.title ?? '',
  ])
  const header = ['name', 'enabled', 'token', 'webhook secret', 'notify URL', 'title']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

await runCli(async () => {
  const {values, positionals} = parseCli(spec)
  const [command, name] = positionals as [string, string | undefined]
  if (!COMMANDS.includes(command as Command))
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(', ')})`)
  if (command === 'list' && name !== undefined) throw new UsageError('list takes no name')
  if (command !== 'list' && name === undefined)
    throw new UsageError(`${command} needs a partner name`)
  const datasetPath = resolve(values.dataset ?? DEFAULT_DATASET)
  const credentials = credentialsPath(datasetPath)
  const print = (text: string) => process.stdout.write(`${text}\n`)

  if (command === 'list') {
    const partners = partnerStatuses(datasetPath, credentials)
    if (values.json) print(JSON.stringify({ok: true, dataset: datasetPath, partners}))
    else print(listText(partners, datasetPath))
    return 0
  }

  const partner = findPartner(datasetPath, name!)
  if (!partner.enabled)
    progress(`note: partner ${partner.name} is disabled (its document says enabled: false)`)
  if (command === 'token') {
    const {token, rotated} = rotateToken(credentials, partner.name)
    progress(
      rotated
        ? `partner: replaced the token of ${partner.name}; the old one no longer opens its feeds`
        : `partner: ${partner.name} has a token now`,
    )
    if (values.json) print(JSON.stringify({partner: partner.name, token}))
    else
      print(
        [
          `Feed token for ${partner.name} (shown once; only its hash is kept in ${credentials}):`,
          '',
          `  ${token}`,
          '',
          'Send it as "Authorization: Bearer <token>", or, for feed readers that cannot set headers,',
          `as a secret URL: …/partners/${partner.name}/<feed>?${TOKEN_PARAM}=<token>`,
        ].join('\n'),
      )
    return 0
  }
  const {secret, rotated} = rotateWebhookSecret(credentials, partner.name)
  progress(
    rotated
      ? `partner: replaced the webhook secret of ${partner.name}; deliveries are signed with the new one`
      : `partner: ${partner.name} has a webhook secret now`,
  )
  if (values.json) print(JSON.stringify({partner: partner.name, secret}))
  else
    print(
      [
        `Webhook signing secret for ${partner.name} (Standard Webhooks; shown once):`,
        '',
        `  ${secret}`,
        '',
        'The partner verifies each delivery with it (e.g. the standardwebhooks package).',
      ].join('\n'),
    )
  return 0
})
