/**
 * Fuzzing the source importer with a fixed seed: random bytes, huge lines, 2–50 MB files, deeply
 * nested Markdown (lists, blockquotes, brackets), invalid UTF-8, UTF-16, odd Unicode, mutated
 * copies of the sample. Broken input must fail with InputError (every problem with file and
 * line) and leave the dataset exactly as it was; hostile but well-formed input may import, and
 * must then be consistent and a no-op the second time. Nothing may throw anything else, hang or
 * crash. A few cases go through `npm run import` too (exit 1, a clear message, nothing written).
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {InputError} from '../../scripts/lib/errors.ts'
import {SOURCES_DIR, TAXONOMY_DIR} from '../../scripts/lib/paths.ts'
import {importSource} from '../../scripts/import/importer.ts'
import {loadTaxonomy} from '../../scripts/import/taxonomyFiles.ts'
import type {TaxonomyDoc} from '../../scripts/import/taxonomy.ts'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {runScript} from '../helpers/run.ts'
import {digestOf, FUZZ_SEED, tempDir} from './helpers.ts'

const SAMPLE = readFileSync(join(SOURCES_DIR, 'microneedling-benefits.txt'), 'utf8')

/** Code points that break naive text handling. */
const ODD = [
  '\u202e',
  '\u202d',
  '\u200f',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u0301\u0301\u0301\u0301',
  '👩🏽‍⚕️',
  '🧴',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'Ｆｕｌｌ',
  '１.',
  'ﬁ',
  'İ',
  'ß',
  'ǅ',
  'مرحبا',
  'שלום',
  '漢字',
  'हिन्दी',
  '\ue000',
  '\ufffd',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '[x](data:text/html,<b>)',
  '${process.exit()}',
  '{{constructor}}',
  '__proto__',
]

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))

function listicleWith(rng: Rng, decorate: (s: string) => string): string {
  const n = rng.int(2, 12)
  const parts = [
    `# ${decorate('Fuzzed microneedling list')} ${rng.int(0, 1e9)}`,
    '',
    decorate('Microneedling intro with collagen.'),
    '',
  ]
  for (let i = 1; i <= n; i++)
    parts.push(
      `${i}. ${decorate(`Benefit ${i} for acne scars`)}`,
      '',
      decorate(`Body ${i} about fine lines and hyaluronic acid.`),
      '',
    )
  return parts.join('\n')
}

const sprinkle = (rng: Rng) => (s: string) => {
  let out = s
  for (let k = rng.int(1, 4); k > 0; k--) {
    const at = rng.int(0, out.length)
    out = out.slice(0, at) + rng.pick(ODD) + out.slice(at)
  }
  return out
}

interface Case {
  kind: string
  /** true: must be refused; false: may import or be refused, but cleanly. */
  broken: boolean
  bytes: () => Uint8Array
}

/** The fuzz cases for index `i`, drawn from `rng`. */
function makeCase(rng: Rng): Case {
  const kind = rng.pick([
    'random-bytes',
    'random-bytes',
    'huge-line',
    'oversize',
    'deep-list',
    'deep-quote',
    'deep-brackets',
    'invalid-utf8',
    'utf16',
    'odd-unicode',
    'odd-unicode',
    'mutated-sample',
    'mutated-sample',
    'no-sections',
    'empty',
  ])
  switch (kind) {
    case 'random-bytes':
      return {
        kind,
        broken: true,
        bytes: () => rng.bytes(rng.int(1, 4096)).map((b) => (b === 0x0a ? 0x00 : b)),
      }
    case 'huge-line':
      return {
        kind,
        broken: true,
        bytes: () =>
          enc(`1. Title\n\n${'lorem ipsum '.repeat(rng.int(900, 90_000))}\n\n2. Two\n\nBody.\n`),
      }
    case 'oversize':
      return {
        kind,
        broken: true,
        bytes: () =>
          enc(`${'1. A title\n\nshort body line.\n\n'.repeat(rng.int(80_000, 160_000))}`),
      }
    case 'deep-list': {
      const depth = rng.int(17, 3000)
      return {
        kind,
        broken: true,
        bytes: () =>
          enc(
            `1. First\n\n${Array.from({length: depth}, (_, d) => `${' '.repeat(d * 2)}- item`).join('\n')}\n\n2. Second\n\nBody.\n`,
          ),
      }
    }
    case 'deep-quote': {
      const depth = rng.int(17, 9000)
      return {
        kind,
        broken: true,
        bytes: () => enc(`1. First\n\n${'>'.repeat(depth)} deep\n\n2. Second\n\nBody.\n`),
      }
    }
    case 'deep-brackets': {
      const depth = rng.int(17, 4000)
      const multiline = rng.chance(0.5)
      return {
        kind,
        broken: true,
        bytes: () =>
          enc(
            `1. First\n\n${multiline ? '[\n'.repeat(depth) : '['.repeat(depth)}x\n\n2. Second\n\nBody.\n`,
          ),
      }
    }
    case 'invalid-utf8': {
      const bad = rng.pick([
        [0xc0, 0x80],
        [0xed, 0xa0, 0x80],
        [0xff],
        [0xe2, 0x82],
        [0xf5, 0x80, 0x80, 0x80],
        [0x80],
      ])
      return {
        kind,
        broken: true,
        bytes: () => {
          const text = enc(listicleWith(rng, (s) => s))
          const at = rng.int(0, text.length)
          return new Uint8Array([...text.slice(0, at), ...bad, ...text.slice(at)])
        },
      }
    }
    case 'utf16':
      return {
        kind,
        broken: true,
        bytes: () =>
          new Uint8Array([
            0xff,
            0xfe,
            ...Buffer.from(
              listicleWith(rng, (s) => s),
              'utf16le',
            ),
          ]),
      }
    case 'odd-unicode':
      return {kind, broken: false, bytes: () => enc(listicleWith(rng, sprinkle(rng)))}
    case 'mutated-sample':
      return {
        kind,
        broken: false,
        bytes: () => {
          const lines = SAMPLE.split('\n')
          for (let k = rng.int(1, 6); k > 0; k--) {
            const at = rng.int(0, lines.length - 1)
            const op = rng.int(0, 4)
            if (op === 0) lines.splice(at, 1)
            else if (op === 1) lines.splice(at, 0, lines[rng.int(0, lines.length - 1)]!)
            else if (op === 2)
              lines[at] = `${rng.int(0, 99)}${rng.pick(['.', ')', '..', ':'])} ${lines[at]}`
            else if (op === 3) lines[at] = sprinkle(rng)(lines[at]!)
            else lines[at] = lines[at]!.slice(0, rng.int(0, lines[at]!.length))
          }
          return enc(lines.join('\n'))
        },
      }
    case 'no-sections':
      return {
        kind,
        broken: true,
        bytes: () =>
          enc(
            Array.from({length: rng.int(1, 40)}, () =>
              sprinkle(rng)('Just a paragraph about collagen without any numbered heading.'),
            ).join('\n\n'),
          ),
      }
    default:
      return {
        kind: 'empty',
        broken: true,
        bytes: () => enc(rng.pick(['', '\n\n\n', '   \t  ', '\ufeff', '\r\n\r\n'])),
      }
  }
}

let tmp: ReturnType<typeof tempDir>
let dataset: string
let taxonomy: readonly TaxonomyDoc[]
beforeAll(async () => {
  tmp = tempDir('fuzz-import-')
  dataset = join(tmp.dir, 'dataset.sqlite')
  taxonomy = await loadTaxonomy(TAXONOMY_DIR)
  const ds = Dataset.open(dataset)
  importSource(ds, {file: 'microneedling-benefits.txt', bytes: enc(SAMPLE)}, taxonomy)
  ds.close()
})
afterAll(() => tmp.cleanup())

describe('fuzzing the importer (fixed seed)', () => {
  it('every broken source is an InputError with file and line and changes nothing; odd but valid ones import cleanly', () => {
    const CASES = 240
    const rng = mulberry32(FUZZ_SEED)
    const tally: Record<string, {refused: number; imported: number}> = {}
    const failures: string[] = []
    const ds = Dataset.open(dataset)
    try {
      for (let i = 0; i < CASES; i++) {
        const c = makeCase(rng)
        const file = `fuzz-${i}.${rng.pick(['md', 'txt'])}`
        const before = digestOf(dataset)
        const t = (tally[c.kind] ??= {refused: 0, imported: 0})
        const where = `case ${i} (${c.kind}, seed ${FUZZ_SEED})`
        let bytes: Uint8Array
        try {
          bytes = c.bytes()
          importSource(ds, {file, bytes}, taxonomy)
        } catch (e) {
          if (!(e instanceof InputError))
            failures.push(
              `${where}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message?.slice(0, 200)}`,
            )
          else if (
            e.problems.length === 0 ||
            e.problems.some((p) => p.file !== file || typeof p.line !== 'number')
          )
            failures.push(`${where}: problems without file/line`)
          if (digestOf(dataset) !== before)
            failures.push(`${where}: refused, but the dataset changed`)
          t.refused++
          continue
        }
        t.imported++
        if (c.broken) failures.push(`${where}: broken input was imported`)
        // Imported: the dataset must be sound, and the same source again must change nothing.
        const after = digestOf(dataset)
        importSource(ds, {file, bytes}, taxonomy)
        if (digestOf(dataset) !== after) failures.push(`${where}: re-import changed the dataset`)
      }
    } finally {
      ds.close()
    }
    const refused = Object.values(tally).reduce((n, t) => n + t.refused, 0)
    console.log(
      `fuzz import: ${CASES} cases (seed ${FUZZ_SEED}): ${refused} refused with InputError, ${CASES - refused} imported; ${failures.length} failures — ${Object.entries(
        tally,
      )
        .map(([k, t]) => `${k} ${t.refused}/${t.imported}`)
        .join(', ')}`,
    )
    expect(failures).toEqual([])
  }, 300_000)

  it('npm run import: a 50 MB file, random bytes and 5,000 nested lists are refused with a clear message, exit 1, no dataset created', () => {
    const rng = mulberry32(FUZZ_SEED + 1)
    const inputs: Record<string, Uint8Array> = {
      'huge.md': enc('1. A title\n\nA body line about collagen.\n\n'.repeat(1_250_000)),
      'random.txt': rng.bytes(2048),
      'nested.md': enc(
        `1. First\n\n${Array.from({length: 5000}, (_, d) => `${' '.repeat(d * 2)}- item`).join('\n')}\n\n2. Second\n\nBody.\n`,
      ),
    }
    for (const [name, bytes] of Object.entries(inputs)) {
      const file = join(tmp.dir, name)
      writeFileSync(file, bytes)
      const target = join(tmp.dir, `cli-${name}.sqlite`)
      const r = runScript('scripts/import/cli.ts', [file, '--dataset', target])
      expect(r.status, name).toBe(1)
      expect(r.stderr, name).toMatch(
        new RegExp(`error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `),
      )
      expect(r.stderr, name).not.toMatch(/internal error|RangeError|at .*\.ts:\d+/)
      expect(existsSync(target), name).toBe(false)
    }
  }, 120_000)
})
