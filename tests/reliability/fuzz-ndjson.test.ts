/**
 * Fuzzing NDJSON dataset import with a fixed seed: malformed lines, duplicate ids, missing or bad
 * `_type`/`_id`, non-object lines, documents nested 10,000 levels deep, several bad lines at
 * once, changed documents without --replace. Every case must be an InputError naming every bad
 * line, and leave the dataset exactly as it was. Reference cycles are valid content: they import
 * atomically, and validation and export still finish.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {InputError} from '../../scripts/lib/errors.ts'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {runScript} from '../helpers/run.ts'
import {digestOf, FEEDS_FIXTURE, FUZZ_SEED, seededDataset, tempDir} from './helpers.ts'

const BASE = readFileSync(FEEDS_FIXTURE, 'utf8').trim().split('\n')

interface Case {
  kind: string
  text: string
  /** 1-based lines that must be reported (a subset check: more may be reported). */
  badLines: number[]
}

const JUNK = [
  '{',
  '}',
  '[]',
  'null',
  '42',
  '"text"',
  '{"_id":',
  'not json at all',
  '{"_id": "x" "_type": "y"}',
  '\u0000',
  '{"_id":"a","_type":"b",}',
  "{'_id':'a'}",
  'NaN',
  '{"_id":"a","_type":"b"}{"x":1}',
]

/** `line` made unreadable as JSON (a change that still parses gets trailing garbage). */
function corrupt(rng: Rng, line: string): string {
  const out = corruptOnce(rng, line)
  try {
    JSON.parse(out)
    return `${out} }`
  } catch {
    return out
  }
}

function corruptOnce(rng: Rng, line: string): string {
  switch (rng.int(0, 4)) {
    case 0:
      return line.slice(0, rng.int(1, line.length - 1))
    case 1: {
      const at = rng.int(0, line.length)
      return line.slice(0, at) + rng.pick(['"', '}', '{', ',', '\\', ']']) + line.slice(at)
    }
    case 2:
      return rng.pick(JUNK)
    case 3:
      return Buffer.from(rng.bytes(rng.int(1, 200)))
        .toString('latin1')
        .replace(/\n/g, ' ')
        .replace(/^\s*$/, 'x')
    default:
      return line.replace(/"_id"/, '"_ id"').replace(/^\{/, '[')
  }
}

function makeCase(rng: Rng): Case {
  const lines = [...BASE]
  const kind = rng.pick([
    'malformed',
    'malformed',
    'bad-document',
    'bad-document',
    'duplicate',
    'several',
    'changed-without-replace',
  ])
  const pick = () => rng.int(0, lines.length - 1)
  switch (kind) {
    case 'malformed': {
      const i = pick()
      lines[i] = corrupt(rng, lines[i]!)
      return {kind, text: `${lines.join('\n')}\n`, badLines: [i + 1]}
    }
    case 'bad-document': {
      const i = pick()
      lines[i] = safeBad(rng, lines[i]!)
      return {kind, text: `${lines.join('\n')}\n`, badLines: [i + 1]}
    }
    case 'duplicate': {
      const i = pick()
      const copy = JSON.parse(lines[i]!) as Record<string, unknown>
      if (rng.chance(0.5)) copy.title = 'Changed copy'
      const at = rng.int(i + 1, lines.length)
      lines.splice(at, 0, JSON.stringify(copy))
      return {kind, text: `${lines.join('\n')}\n`, badLines: [at + 1]}
    }
    case 'several': {
      const picks = [...new Set(Array.from({length: rng.int(2, 6)}, pick))].sort((a, b) => a - b)
      for (const i of picks)
        lines[i] = rng.chance(0.5) ? corrupt(rng, lines[i]!) : safeBad(rng, lines[i]!)
      return {kind, text: `${lines.join('\n')}\n`, badLines: picks.map((i) => i + 1)}
    }
    default: {
      // Valid lines whose content differs from what is stored: a conflict unless --replace.
      const i = pick()
      const doc = JSON.parse(lines[i]!) as Record<string, unknown>
      doc.title = `Changed ${rng.int(0, 1e6)}`
      lines[i] = JSON.stringify(doc)
      return {kind, text: `${lines.join('\n')}\n`, badLines: [i + 1]}
    }
  }
}

/** A bad document line, built without ever producing input JSON.parse itself cannot read. */
function safeBad(rng: Rng, line: string): string {
  const doc = JSON.parse(line) as Record<string, unknown>
  const k = rng.int(0, 6)
  if (k === 0) delete doc._type
  else if (k === 1) doc._type = rng.pick(['', 42, null, ['benefit'], {name: 'benefit'}])
  else if (k === 2) delete doc._id
  else if (k === 3)
    doc._id = rng.pick([
      '',
      '-leading',
      'has space',
      'slash/id',
      'x'.repeat(129),
      'ümlaut',
      42,
      null,
      '../../etc/passwd',
    ])
  else if (k === 4) {
    const depth = rng.int(101, 20_000)
    return line.replace(/\}$/, `,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`)
  } else if (k === 5) return JSON.stringify([doc])
  else return JSON.stringify(String(doc._id))
  return JSON.stringify(doc)
}

let tmp: ReturnType<typeof tempDir>
let dataset: string
beforeAll(() => {
  tmp = tempDir('fuzz-ndjson-')
  dataset = seededDataset(join(tmp.dir, 'dataset.sqlite'))
})
afterAll(() => tmp.cleanup())

describe('fuzzing NDJSON import (fixed seed)', () => {
  it('every bad file is an InputError naming every bad line, and the dataset is unchanged', () => {
    const CASES = 300
    const rng = mulberry32(FUZZ_SEED)
    const before = digestOf(dataset)
    const tally: Record<string, number> = {}
    const failures: string[] = []
    const ds = Dataset.open(dataset)
    try {
      for (let i = 0; i < CASES; i++) {
        const c = makeCase(rng)
        tally[c.kind] = (tally[c.kind] ?? 0) + 1
        const where = `case ${i} (${c.kind}, seed ${FUZZ_SEED})`
        try {
          importNdjson(ds, c.text, {file: 'fuzz.ndjson'})
          failures.push(`${where}: was imported`)
        } catch (e) {
          if (!(e instanceof InputError))
            failures.push(
              `${where}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message?.slice(0, 200)}`,
            )
          else {
            const reported = new Set(e.problems.map((p) => p.line))
            const missing = c.badLines.filter((l) => !reported.has(l))
            if (missing.length > 0)
              failures.push(
                `${where}: line(s) ${missing.join(', ')} not reported (got ${[...reported].join(', ')})`,
              )
          }
        }
        if (digestOf(dataset) !== before) failures.push(`${where}: the dataset changed`)
      }
    } finally {
      ds.close()
    }
    console.log(
      `fuzz ndjson: ${CASES} cases (seed ${FUZZ_SEED}), ${failures.length} failures — ${Object.entries(
        tally,
      )
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    )
    expect(failures).toEqual([])
  }, 300_000)

  it('npm run dataset -- import: bad lines exit 1 listing each line, nothing written', () => {
    const lines = [...BASE]
    lines[2] = '{"_id": "concern-x"'
    lines[5] = JSON.stringify({_id: 'concern-y'})
    lines.push(lines[0]!)
    const file = join(tmp.dir, 'bad.ndjson')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const before = digestOf(dataset)
    const r = runScript('scripts/store/cli.ts', ['import', file, '--dataset', dataset, '--json'])
    expect(r.status).toBe(1)
    const out = JSON.parse(r.stdout) as {
      ok: boolean
      error: {code: string; problems: Array<{line: number; message: string}>}
    }
    expect(out.ok).toBe(false)
    expect(out.error.code).toBe('INPUT')
    expect(out.error.problems.map((p) => p.line)).toEqual([3, 6, lines.length])
    expect(digestOf(dataset)).toBe(before)
  })

  it('reference cycles (a ⇄ b, a document citing itself) are valid content: imported atomically; validation and export finish', async () => {
    const path = seededDataset(join(tmp.dir, 'cycles.sqlite'))
    const block = (key: string, text: string) => ({
      _type: 'block',
      _key: key,
      style: 'normal',
      markDefs: [],
      children: [{_type: 'span', _key: `${key}s`, text, marks: []}],
    })
    const ref = (id: string, key: string) => ({_type: 'reference', _ref: id, _key: key})
    const docs = [
      {
        _id: 'concern-cycle-a',
        _type: 'concern',
        title: 'Cycle A',
        slug: {_type: 'slug', current: 'cycle-a'},
        related: [ref('concern-cycle-b', 'r1')],
      },
      {
        _id: 'concern-cycle-b',
        _type: 'concern',
        title: 'Cycle B',
        slug: {_type: 'slug', current: 'cycle-b'},
        related: [ref('concern-cycle-a', 'r1')],
      },
      {
        _id: 'benefit-self',
        _type: 'benefit',
        title: 'Self reference',
        slug: {_type: 'slug', current: 'self-reference'},
        summary: 'Cites itself.',
        body: [block('b1', 'Cites itself.')],
        concerns: [ref('concern-cycle-a', 'c1')],
        related: [ref('benefit-self', 's1')],
      },
    ]
    const ds = Dataset.open(path)
    try {
      expect(
        importNdjson(ds, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`, {
          file: 'cycles.ndjson',
        }),
      ).toMatchObject({created: 3})
      const report = await validateDocuments(ds.documents())
      expect(Array.isArray(report.problems)).toBe(true)
    } finally {
      ds.close()
    }
    const summary = await exportFeeds({
      dataset: path,
      out: join(tmp.dir, 'cycles-dist'),
      now: '2026-01-01T00:00:00Z',
    })
    expect(summary.ok).toBe(true)
  }, 120_000)
})
