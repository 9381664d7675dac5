/**
 * `npm test` runs this first (pretest): the test suite checks feeds, the Studio and the served
 * output with independent tools from Debian — Chromium, python3-feedparser, jing, xmllint, nginx.
 * Installs what is missing when it can (root with apt-get), otherwise prints the exact command and
 * fails.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

interface SystemDep {
  apt: string
  present: () => boolean
}

const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, {stdio: 'ignore'}).status === 0

export const SYSTEM_DEPS: SystemDep[] = [
  {apt: 'chromium', present: () => existsSync('/usr/bin/chromium')},
  {apt: 'python3-feedparser', present: () => ok('/usr/bin/python3', ['-c', 'import feedparser'])},
  {apt: 'jing', present: () => ok('sh', ['-c', 'command -v jing'])},
  {apt: 'trang', present: () => ok('sh', ['-c', 'command -v trang'])},
  {apt: 'libxml2-utils', present: () => ok('sh', ['-c', 'command -v xmllint'])},
  {apt: 'openssl', present: () => ok('sh', ['-c', 'command -v openssl'])},
  // certutil: `npm run studio` adds its local CA to browsers' NSS databases (the Studio browser test checks it).
  {apt: 'libnss3-tools', present: () => ok('sh', ['-c', 'command -v certutil'])},
  // nginx: tests/serve/nginx.test.ts runs the generated configuration (scripts/serve/nginx.ts),
  // with the brotli filter it loads when present.
  {apt: 'nginx', present: () => existsSync('/usr/sbin/nginx')},
  {
    apt: 'libnginx-mod-http-brotli-filter',
    present: () => existsSync('/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so'),
  },
]

const missing = SYSTEM_DEPS.filter((d) => !d.present()).map((d) => d.apt)
if (missing.length > 0) {
  const cmd = `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`
  const canInstall = process.getuid?.() === 0 && ok('sh', ['-c', 'command -v apt-get'])
  if (!canInstall) {
    process.stderr.write(
      `The tests need Debian packages that are missing: ${missing.join(', ')}\nRun: sudo sh -c '${cmd}'\n`,
    )
    process.exit(1)
  }
  process.stderr.write(`installing test tools: ${missing.join(', ')}\n`)
  const r = spawnSync('sh', ['-c', cmd], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
