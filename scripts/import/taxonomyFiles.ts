/** Reads the taxonomy directory (the I/O half of taxonomy.ts). */
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {InputError} from '../lib/errors.ts'
import {parseTaxonomy, type TaxonomyDoc} from './taxonomy.ts'

/** Every `*.json` file in `dir`, parsed and checked; the docs come back sorted by `_id`. */
export async function loadTaxonomy(dir: string): Promise<TaxonomyDoc[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  } catch (e) {
    throw new InputError([
      {
        file: dir,
        level: 'error',
        message: `cannot read the taxonomy directory: ${(e as Error).message}`,
      },
    ])
  }
  const files = await Promise.all(
    names.map(async (name) => ({
      file: join(dir, name),
      name,
      text: await readFile(join(dir, name), 'utf8'),
    })),
  )
  return parseTaxonomy(files)
}
