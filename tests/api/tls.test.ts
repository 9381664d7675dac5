import {X509Certificate} from 'node:crypto'
import {mkdtempSync, rmSync, statSync, unlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {afterAll, describe, expect, it} from 'vitest'
import {caProblem, ensureTls, serverCertProblem, serverNames} from '../../scripts/api/tls.ts'
import {manualTrustSteps, NSS_NICKNAME, trustCa} from '../../scripts/api/trust.ts'

const dir = mkdtempSync(join(tmpdir(), 'api-tls-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('local certificate authority', () => {
  const tlsDir = join(dir, 'tls')
  const first = ensureTls(tlsDir, 'local')

  it('creates a name-constrained CA and a server certificate for the Studio and API hosts', () => {
    expect(first.created).toEqual({ca: true, server: true})
    const ca = new X509Certificate(first.caCert)
    const cert = new X509Certificate(first.cert)
    expect(ca.ca).toBe(true)
    expect(cert.ca).toBe(false)
    expect(cert.verify(ca.publicKey)).toBe(true)
    // `local.localhost` is named explicitly: TLS clients (Node, Chromium) do not apply a wildcard
    // directly under a single-label name, so `*.localhost` alone would not cover it.
    for (const host of ['localhost', 'local.localhost']) expect(cert.checkHost(host)).toBe(host)
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(cert.checkHost('example.com')).toBeUndefined()
    // The CA can vouch for loopback names only, even if its key leaked.
    const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', first.caCertPath], {
      encoding: 'utf8',
    }).stdout
    expect(text).toMatch(/Name Constraints: critical/)
    expect(text).toMatch(/Permitted:\s+DNS:localhost/)
  })

  it('keeps private keys readable by the owner only', () => {
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600)
    expect(statSync(first.caKeyPath).mode & 0o777).toBe(0o600)
    expect(statSync(tlsDir).mode & 0o077).toBe(0)
  })

  it('reuses what is valid and renews only the missing server certificate', () => {
    const again = ensureTls(tlsDir, 'local')
    expect(again.created).toEqual({ca: false, server: false})
    expect(again.cert).toBe(first.cert)
    unlinkSync(first.certPath)
    const renewed = ensureTls(tlsDir, 'local')
    expect(renewed.created).toEqual({ca: false, server: true})
    expect(renewed.caCert).toBe(first.caCert)
  })

  it('renews a certificate that is about to expire or lacks a name', () => {
    const names = serverNames('local')
    expect(serverCertProblem(first.cert, first.caCert, names, new Date())).toBeUndefined()
    const inTwoYears = new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000)
    expect(serverCertProblem(first.cert, first.caCert, names, inTwoYears)).toMatch(/expires/)
    expect(serverCertProblem(first.cert, first.caCert, serverNames('other'), new Date())).toMatch(
      /lacks DNS:other.localhost/,
    )
    expect(serverCertProblem(undefined, first.caCert, names, new Date())).toBe('missing')
    expect(caProblem(first.caCert, new Date())).toBeUndefined()
    expect(caProblem(first.caCert, new Date(Date.now() + 11 * 365 * 24 * 3600 * 1000))).toMatch(
      /expires/,
    )
  })
})

describe('trusting the CA in browsers', () => {
  it('prints the one-time command where it cannot add the CA itself', () => {
    expect(manualTrustSteps('/x/ca.crt', 'darwin')[0]).toMatch(
      /security add-trusted-cert .*"\/x\/ca.crt"/,
    )
    expect(manualTrustSteps('/x/ca.crt', 'win32')[0]).toMatch(/certutil -user -addstore Root/)
    expect(manualTrustSteps('/x/ca.crt', 'linux').join('\n')).toMatch(
      /certutil -d sql:\$HOME\/.pki\/nssdb -A -t "C,," -n ".*" -i "\/x\/ca.crt"/,
    )
    expect(trustCa('/x/ca.crt', {os: 'darwin'})).toMatchObject({trusted: false, databases: []})
  })

  const hasCertutil = spawnSync('sh', ['-c', 'command -v certutil'], {stdio: 'ignore'}).status === 0
  it.skipIf(!hasCertutil)(
    'adds the CA to the NSS database Chromium reads (once), in the given home',
    () => {
      const home = join(dir, 'home')
      const tls = ensureTls(join(dir, 'tls'), 'local')
      const result = trustCa(tls.caCertPath, {home, os: 'linux'})
      expect(result).toMatchObject({
        trusted: true,
        databases: [{dir: join(home, '.pki', 'nssdb'), status: 'added'}],
      })
      expect(trustCa(tls.caCertPath, {home, os: 'linux'}).databases[0]!.status).toBe('present')
      const listed = spawnSync('certutil', ['-d', `sql:${join(home, '.pki', 'nssdb')}`, '-L'], {
        encoding: 'utf8',
      }).stdout
      expect(listed).toContain(NSS_NICKNAME)
      expect(listed).toMatch(/C,,/)
    },
  )
})
