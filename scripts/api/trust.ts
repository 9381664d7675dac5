/**
 * Make the local CA trusted by the user's browsers, as mkcert does on Linux: Chrome/Chromium
 * read the NSS database in ~/.pki/nssdb and Firefox one per profile; `certutil` (Debian
 * package libnss3-tools) adds the CA to each. Where that cannot be done (no certutil, macOS,
 * Windows) the exact one-time command is returned for the caller to print.
 */
import {spawnSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {homedir, platform} from 'node:os'
import {join} from 'node:path'
import {CA_COMMON_NAME} from './tls.ts'

export const NSS_NICKNAME = CA_COMMON_NAME

export interface NssDbResult {
  dir: string
  status: 'added' | 'present' | 'failed'
  message?: string
}

export interface TrustResult {
  /** Every browser certificate store touched. */
  databases: NssDbResult[]
  /** True when at least one browser store trusts the CA now. */
  trusted: boolean
  /** Commands for the user to run once when this could not be done automatically. */
  instructions: string[]
}

const hasCertutil = () =>
  spawnSync('sh', ['-c', 'command -v certutil'], {stdio: 'ignore'}).status === 0

/** NSS databases of the user's browsers: Chrome/Chromium's (created if missing) and each Firefox profile's. */
export function nssDatabases(home: string): string[] {
  const dbs = [join(home, '.pki', 'nssdb')]
  for (const root of [
    join(home, '.mozilla', 'firefox'),
    join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
  ]) {
    if (!existsSync(root)) continue
    for (const entry of readdirSync(root, {withFileTypes: true})) {
      if (entry.isDirectory() && existsSync(join(root, entry.name, 'cert9.db')))
        dbs.push(join(root, entry.name))
    }
  }
  return dbs
}

/** The one-time commands that trust `caCertPath`, for where this module cannot do it itself. */
export function manualTrustSteps(caCertPath: string, os: NodeJS.Platform = platform()): string[] {
  if (os === 'darwin')
    return [
      `security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db "${caCertPath}"`,
    ]
  if (os === 'win32') return [`certutil -user -addstore Root "${caCertPath}"`]
  return [
    'sudo apt-get install -y libnss3-tools   # provides certutil; then run the command again, or:',
    `mkdir -p ~/.pki/nssdb && certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "${NSS_NICKNAME}" -i "${caCertPath}"`,
  ]
}

function certutil(args: string[]) {
  return spawnSync('certutil', args, {encoding: 'utf8'})
}

/** Add the CA to one NSS database unless the same certificate is already there under our nickname. */
function trustIn(dir: string, caPem: string, caCertPath: string): NssDbResult {
  const db = `sql:${dir}`
  if (!existsSync(join(dir, 'cert9.db'))) {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const init = certutil(['-d', db, '-N', '--empty-password'])
    if (init.status !== 0) return {dir, status: 'failed', message: init.stderr.trim()}
  }
  const listed = certutil(['-d', db, '-L', '-n', NSS_NICKNAME, '-a'])
  if (listed.status === 0) {
    const sameCert = (() => {
      try {
        return (
          new X509Certificate(listed.stdout).fingerprint256 ===
          new X509Certificate(caPem).fingerprint256
        )
      } catch {
        return false
      }
    })()
    if (sameCert) return {dir, status: 'present'}
    // An older CA under our nickname (the state directory was reset): replace it.
    certutil(['-d', db, '-D', '-n', NSS_NICKNAME])
  }
  const add = certutil(['-d', db, '-A', '-t', 'C,,', '-n', NSS_NICKNAME, '-i', caCertPath])
  return add.status === 0
    ? {dir, status: 'added'}
    : {dir, status: 'failed', message: add.stderr.trim()}
}

/** Trust the CA in every browser store found under `home`; never needs root. */
export function trustCa(
  caCertPath: string,
  opts: {home?: string; os?: NodeJS.Platform} = {},
): TrustResult {
  const os = opts.os ?? platform()
  if (os !== 'linux' || !hasCertutil())
    return {databases: [], trusted: false, instructions: manualTrustSteps(caCertPath, os)}
  const caPem = readFileSync(caCertPath, 'utf8')
  const databases = nssDatabases(opts.home ?? homedir()).map((dir) =>
    trustIn(dir, caPem, caCertPath),
  )
  const trusted = databases.some((d) => d.status !== 'failed')
  return {databases, trusted, instructions: trusted ? [] : manualTrustSteps(caCertPath, os)}
}
