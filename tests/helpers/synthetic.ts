/** Generated datasets (scripts/synthetic) in dataset files, for tests that need many documents. */
import {generateDataset} from '../../scripts/synthetic/generate.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

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
