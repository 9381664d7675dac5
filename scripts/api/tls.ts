/**
 * A local certificate authority and a server certificate for the HTTP/2 API, made with the
 * openssl CLI on first run and kept in a state directory (default `.data/tls/`, ignored by git).
 *
 * The CA is name-constrained to localhost, *.localhost and the loopback addresses, so even if
 * its key leaked it could not vouch for any real site — the reason it is reasonably safe to
 * add it to a browser's trust store. The server certificate is renewed when it is missing,
 * expires within a week, does not chain to the CA, or lacks one of the required names.
 */
import {execFileSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import {PipelineError} from '../lib/errors.ts'

export interface TlsFiles {
  dir: string
  caCertPath: string
  caKeyPath: string
  certPath: string
  keyPath: string
}

export interface TlsMaterial extends TlsFiles {
  cert: string
  key: string
  caCert: string
  /** What was (re)generated on this run. */
  created: {ca: boolean; server: boolean}
}

export class TlsError extends PipelineError {
  override readonly code = 'TLS'
}

const CA_DAYS = 3650
/** Below the 398 days browsers accept for publicly trusted certificates, to be safe with any policy. */
const SERVER_DAYS = 397
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000

export const CA_COMMON_NAME = 'Skincare content platform local API CA'

export function tlsFiles(dir: string): TlsFiles {
  return {
    dir,
    caCertPath: join(dir, 'ca.crt'),
    caKeyPath: join(dir, 'ca.key'),
    certPath: join(dir, 'server.crt'),
    keyPath: join(dir, 'server.key'),
  }
}

/** Names the server certificate must cover: the API host, the project host the Studio builds, loopback. */
export function serverNames(projectId: string): {dns: string[]; ips: string[]} {
  return {dns: ['localhost', '*.localhost', `${projectId}.localhost`], ips: ['127.0.0.1', '::1']}
}

/** Why the CA certificate cannot be used as is (undefined when it can). */
export function caProblem(caPem: string | undefined, now: Date): string | undefined {
  if (!caPem) return 'missing'
  let ca: X509Certificate
  try {
    ca = new X509Certificate(caPem)
  } catch {
    return 'unreadable'
  }
  if (!ca.ca) return 'not a CA certificate'
  if (Date.parse(ca.validTo) - now.getTime() < RENEW_BEFORE_MS) return `expires ${ca.validTo}`
  return undefined
}

/** Why the server certificate must be renewed (undefined when it is good). */
export function serverCertProblem(
  certPem: string | undefined,
  caPem: string,
  names: {dns: string[]; ips: string[]},
  now: Date,
): string | undefined {
  if (!certPem) return 'missing'
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch {
    return 'unreadable'
  }
  const ca = new X509Certificate(caPem)
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the current CA'
  if (Date.parse(cert.validFrom) > now.getTime()) return `not valid before ${cert.validFrom}`
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_MS) return `expires ${cert.validTo}`
  const san = cert.subjectAltName ?? ''
  for (const dns of names.dns) if (!san.includes(`DNS:${dns}`)) return `lacks DNS:${dns}`
  for (const ip of names.ips) if (!cert.checkIP(ip)) return `lacks IP:${ip}`
  return undefined
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, {cwd, stdio: ['ignore', 'ignore', 'pipe']})
  } catch (e) {
    const err = e as {code?: string; stderr?: Buffer}
    if (err.code === 'ENOENT')
      throw new TlsError(
        'openssl is not installed (Debian: apt-get install openssl); it makes the local API certificate',
      )
    throw new TlsError(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? String(e)}`)
  }
}

const readIfExists = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined)

/** A new CA key + certificate in `work`. */
function makeCa(work: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      String(CA_DAYS),
      '-subj',
      `/O=Local development/CN=${CA_COMMON_NAME}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
      '-addext',
      'nameConstraints=critical,permitted;DNS:localhost,permitted;IP:127.0.0.1/255.255.255.255,permitted;IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF',
    ],
    work,
  )
}

/** A new server key + certificate in `work`, signed by the CA at the given paths. */
function makeServerCert(
  work: string,
  files: TlsFiles,
  names: {dns: string[]; ips: string[]},
): void {
  const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((i) => `IP:${i}`)].join(',')
  writeFileSync(
    join(work, 'server.ext'),
    [
      `subjectAltName=${san}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  )
  openssl(
    [
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/O=Local development/CN=localhost',
    ],
    work,
  )
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      files.caCertPath,
      '-CAkey',
      files.caKeyPath,
      '-set_serial',
      `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
      '-days',
      String(SERVER_DAYS),
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ],
    work,
  )
}

/**
 * Make sure `dir` holds a usable CA and server certificate; create or renew what is needed.
 * Files are written in a temporary directory and renamed into place, keys with mode 0600.
 */
export function ensureTls(dir: string, projectId: string, now = new Date()): TlsMaterial {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const files = tlsFiles(dir)
  const names = serverNames(projectId)
  const created = {ca: false, server: false}
  const work = mkdtempSync(join(dir, '.tmp-'))
  try {
    if (caProblem(readIfExists(files.caCertPath), now) || !existsSync(files.caKeyPath)) {
      makeCa(work)
      chmodSync(join(work, 'ca.key'), 0o600)
      renameSync(join(work, 'ca.key'), files.caKeyPath)
      renameSync(join(work, 'ca.crt'), files.caCertPath)
      created.ca = true
    }
    const caCert = readFileSync(files.caCertPath, 'utf8')
    if (
      created.ca ||
      serverCertProblem(readIfExists(files.certPath), caCert, names, now) ||
      !existsSync(files.keyPath)
    ) {
      makeServerCert(work, files, names)
      chmodSync(join(work, 'server.key'), 0o600)
      renameSync(join(work, 'server.key'), files.keyPath)
      renameSync(join(work, 'server.crt'), files.certPath)
      created.server = true
    }
    return {
      ...files,
      cert: readFileSync(files.certPath, 'utf8'),
      key: readFileSync(files.keyPath, 'utf8'),
      caCert,
      created,
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
