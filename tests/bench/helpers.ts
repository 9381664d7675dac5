/** Shared by the bench tests: small generated datasets in temp folders, trees compared byte for byte. */
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {generateDataset} from '../../scripts/bench/generate.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

export function tempDir(prefix = 'bench-test-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** A dataset file holding a generated dataset (documents as an export file has them). */
export function generatedDataset(path: string, size: number, seed?: number): string {
  const ds = Dataset.open(path, {now: () => new Date('2026-01-01T00:00:00Z')})
  try {
    ds.importDocuments(generateDataset({size, ...(seed === undefined ? {} : {seed})}))
  } finally {
    ds.close()
  }
  return path
}

/** Every file under `dir` (relative `/` paths, sorted) with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

/** Paths whose bytes differ between two trees (or that only one has). */
export function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()])
  return [...paths].filter((p) => !a.get(p) || !b.get(p) || !a.get(p)!.equals(b.get(p)!)).sort()
}
