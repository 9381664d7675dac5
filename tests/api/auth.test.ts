import {chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {
  loadOrCreateToken,
  TOKEN_PATTERN,
  tokenFileFor,
  tokenMatches,
} from '../../scripts/api/auth.ts'
import {parsePerspective, effectivePerspective} from '../../scripts/api/perspective.ts'
import {splitApiVersion} from '../../scripts/api/http.ts'

const dir = mkdtempSync(join(tmpdir(), 'api-auth-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('dataset token', () => {
  const datasetPath = join(dir, 'dataset.sqlite')

  it('is created once per dataset (random, 43 characters, mode 0600) and then reused', () => {
    const token = loadOrCreateToken(datasetPath)
    expect(token).toMatch(TOKEN_PATTERN)
    expect(token.length).toBeGreaterThanOrEqual(43)
    expect(statSync(tokenFileFor(datasetPath)).mode & 0o777).toBe(0o600)
    expect(loadOrCreateToken(datasetPath)).toBe(token)
    expect(loadOrCreateToken(join(dir, 'other.sqlite'))).not.toBe(token)
  })

  it('tightens a token file others could read, and replaces one that is not a token', () => {
    const file = tokenFileFor(datasetPath)
    chmodSync(file, 0o644)
    const token = loadOrCreateToken(datasetPath)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    writeFileSync(file, 'short\n')
    const fresh = loadOrCreateToken(datasetPath)
    expect(fresh).not.toBe(token)
    expect(readFileSync(file, 'utf8').trim()).toBe(fresh)
  })

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abd', 'abc')).toBe(false)
    expect(tokenMatches('ab', 'abc')).toBe(false)
    expect(tokenMatches(undefined, 'abc')).toBe(false)
  })
})

describe('request details', () => {
  it('perspectives: Studio spellings map to the runner’s; anonymous callers always get published', () => {
    expect(parsePerspective(undefined)).toBeUndefined()
    expect(parsePerspective('raw')).toBe('raw')
    expect(parsePerspective('previewDrafts')).toBe('drafts')
    expect(parsePerspective('rABC,drafts')).toBe('drafts')
    expect(parsePerspective(['rABC'])).toBe('published')
    expect(() => parsePerspective('raw,drafts')).toThrow(/raw/)
    expect(effectivePerspective('drafts', false)).toBe('published')
    expect(effectivePerspective('raw', true)).toBe('raw')
    expect(effectivePerspective(undefined, true)).toBe('published')
  })

  it('API paths carry a version; Studio files do not', () => {
    expect(splitApiVersion('/v2025-02-19/data/query/production')).toEqual({
      apiVersion: '2025-02-19',
      path: '/data/query/production',
    })
    expect(splitApiVersion('/v1/help')).toEqual({apiVersion: '1', path: '/help'})
    expect(splitApiVersion('/vX/intake/batch')).toEqual({apiVersion: 'X', path: '/intake/batch'})
    expect(splitApiVersion('/vendor/react.js')).toBeUndefined()
    expect(splitApiVersion('/local/structure')).toBeUndefined()
  })
})
