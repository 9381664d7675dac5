/** `npm run validate` as a user runs it, on real dataset files. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import {runScript} from '../helpers/run.ts'

const dir = mkdtempSync(join(tmpdir(), 'validate-cli-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const block = {
  _type: 'block',
  _key: 'b0',
  style: 'normal',
  markDefs: [],
  children: [{_type: 'span', _key: 's0', text: 'Minimally invasive.', marks: []}],
}
function dataset(name: string, withDangling: boolean): string {
  const path = join(dir, `${name}.sqlite`)
  const ds = Dataset.open(path)
  ds.transaction([
    {
      createOrReplace: {
        _id: 'concern-c',
        _type: 'concern',
        title: 'C',
        slug: {_type: 'slug', current: 'c'},
      },
    },
    {
      createOrReplace: {
        _id: 'benefit-b',
        _type: 'benefit',
        title: 'B',
        slug: {_type: 'slug', current: 'b'},
        body: [block],
        concerns: [
          {
            _type: 'link',
            _key: 'k1',
            target: {_type: 'reference', _ref: withDangling ? 'concern-missing' : 'concern-c'},
          },
          {_type: 'link', _key: 'k2', target: {_type: 'reference', _ref: 'concern-c'}},
        ].slice(0, withDangling ? 2 : 1),
      },
    },
    {
      createOrReplace: {
        _id: 'article-a',
        _type: 'article',
        title: 'A',
        slug: {_type: 'slug', current: 'a'},
        benefits: [{_type: 'reference', _ref: 'benefit-b', _key: 'k'}],
      },
    },
  ])
  ds.close()
  return path
}

describe('npm run validate', () => {
  it('exits 0 on a clean dataset and prints the summary', () => {
    const r = runScript('scripts/validate/cli.ts', ['--dataset', dataset('clean', false)])
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/3 documents: 0 errors/)
    expect(r.status).toBe(0)
  })

  it('exits non-zero on a dangling reference and names the document and field', () => {
    const r = runScript('scripts/validate/cli.ts', [
      '--dataset',
      dataset('dangling', true),
      '--json',
    ])
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout) as {
      ok: boolean
      problems: Array<{documentId: string; path: string; level: string; message: string}>
    }
    expect(report.ok).toBe(false)
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        documentId: 'benefit-b',
        path: 'concerns[_key=="k1"].target',
        level: 'error',
        message: expect.stringContaining('concern-missing'),
      }),
    )
  })

  it('refuses a missing dataset with a usage error', () => {
    const r = runScript('scripts/validate/cli.ts', ['--dataset', join(dir, 'nope.sqlite')])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/dataset not found/)
  })
})
