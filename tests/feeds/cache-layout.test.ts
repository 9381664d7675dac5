/**
 * The export cache's list layouts (the app bundle's groups, the manifest): stored as keys and
 * lengths, read back as they were, and a part equal to the one stored before is not rewritten.
 */
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ExportCache} from '../../scripts/feeds/incremental/cache.ts'
import {layoutOf, type ListLayout} from '../../scripts/feeds/incremental/splice.ts'
import {layoutKeys, tempDir} from './helpers.ts'

let tmp: ReturnType<typeof tempDir> | undefined
let cache: ExportCache | undefined
afterEach(() => {
  cache?.close()
  tmp?.cleanup()
})

const open = () => {
  tmp = tempDir('cache-layout-')
  return (cache = ExportCache.open(join(tmp.dir, 'cache.sqlite')))
}

/** A layout as plain lists, for comparisons. */
const plain = (l: ListLayout) => ({keys: layoutKeys(l), lengths: [...l.lengths]})
const L = (keys: string[], lengths: number[]) => layoutOf(keys, lengths)

describe('export cache layouts', () => {
  it('read back what was stored, empty when nothing was', () => {
    const c = open()
    expect(plain(c.layout('manifest'))).toEqual({keys: [], lengths: []})
    const layout = {
      keys: ['web/a b.json', 'web/é.json', 'x', ''],
      lengths: [120, 7, 0, 2 ** 32 - 1],
    }
    c.putLayout('manifest', L(layout.keys, layout.lengths))
    expect(plain(c.layout('manifest'))).toEqual(layout)
    c.putLayout('bundle:benefits', L([], []))
    expect(plain(c.layout('bundle:benefits'))).toEqual({keys: [], lengths: []})
    expect(plain(c.layout('manifest'))).toEqual(layout)
  })

  it('rewrite only the part that differs from the layout stored before', () => {
    const c = open()
    const stored = L(['a', 'b'], [1, 2])
    c.putLayout('manifest', stored)
    // Same keys, new lengths: the lengths row is written, the keys row is left as it is.
    c.putLayout('manifest', L(['a', 'b'], [1, 3]), stored)
    expect(plain(c.layout('manifest'))).toEqual({keys: ['a', 'b'], lengths: [1, 3]})
    // `old` is trusted to be what is stored: keys said to be unchanged are not written.
    c.putLayout('manifest', L(['a', 'c'], [1, 3]), L(['a', 'c'], [1, 3]))
    expect(plain(c.layout('manifest'))).toEqual({keys: ['a', 'b'], lengths: [1, 3]})
    // Neither is written when both are said to be unchanged.
    c.putLayout('manifest', L(['a', 'c'], [1, 4]), L(['a', 'c'], [1, 4]))
    expect(plain(c.layout('manifest'))).toEqual({keys: ['a', 'b'], lengths: [1, 3]})
    c.putLayout('manifest', L(['a', 'c', 'd'], [1, 3, 4]), L(['a', 'b'], [1, 3]))
    expect(plain(c.layout('manifest'))).toEqual({keys: ['a', 'c', 'd'], lengths: [1, 3, 4]})
  })
})
