/** README promises: the two fresh-machine commands exist, and every `npm run <x>` it mentions is a real script. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {scripts: Record<string, string>}
).scripts

it('starts with the two commands for a fresh machine', () => {
  const quickStart = readme.split('## Quick start')[1]!.split('\n## ')[0]!
  expect(quickStart).toContain('npm ci && npm start')
  expect(quickStart).toContain('npm ci && npm test')
})

it('mentions only npm scripts that exist', () => {
  const mentioned = new Set([...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!))
  expect(mentioned.size).toBeGreaterThan(5)
  for (const name of mentioned) expect(scripts, `npm run ${name}`).toHaveProperty(name)
})

it('CI runs the README test command', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
  expect(ci).toMatch(/npm ci/)
  expect(ci).toMatch(/npm test/)
})
