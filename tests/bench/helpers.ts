/** Shared by the bench tests: small generated datasets in temp folders, trees compared byte for byte. */
import {generateDataset} from '../../scripts/bench/generate.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

export {readTree, tempDir} from '../feeds/helpers.ts'

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

/** Paths whose bytes differ between two trees (or that only one has). */
export function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()])
  return [...paths].filter((p) => !a.get(p) || !b.get(p) || !a.get(p)!.equals(b.get(p)!)).sort()
}
