/**
 * The export cache's list layouts (the app bundle's groups, the manifest): stored as keys and
 * lengths, read back as they were, and a part equal to the one stored before is not rewritten.
 */
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ExportCache} from '../../scripts/feeds/incremental/cache.ts'
import {tempDir} from './helpers.ts'

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

describe('export cache layouts', () => {
  it('read back what was stored, empty when nothing was', () => {
    const c = open()
    expect(c.layout('manifest')).toEqual({keys: [], lengths: []})
    const layout = {keys: ['web/a b.json', 'web/é.json', 'x'], lengths: [120, 7, 0]}
    c.putLayout('manifest', layout)
    expect(c.layout('manifest')).toEqual(layout)
    c.putLayout('bundle:benefits', {keys: [], lengths: []})
    expect(c.layout('bundle:benefits')).toEqual({keys: [], lengths: []})
    expect(c.layout('manifest')).toEqual(layout)
  })

  it('rewrite only the part that differs from the layout stored before', () => {
    const c = open()
    const stored = {keys: ['a', 'b'], lengths: [1, 2]}
    c.putLayout('manifest', stored)
    // Same keys, new lengths: the lengths row is written, the keys row is left as it is.
    c.putLayout('manifest', {keys: ['a', 'b'], lengths: [1, 3]}, stored)
    expect(c.layout('manifest')).toEqual({keys: ['a', 'b'], lengths: [1, 3]})
    // `old` is trusted to be what is stored: keys said to be unchanged are not written.
    c.putLayout('manifest', {keys: ['a', 'c'], lengths: [1, 3]}, {keys: ['a', 'c'], lengths: [1, 3]})
    expect(c.layout('manifest')).toEqual({keys: ['a', 'b'], lengths: [1, 3]})
    c.putLayout('manifest', {keys: ['a', 'c', 'd'], lengths: [1, 3, 4]}, {keys: ['a', 'b'], lengths: [1, 3]})
    expect(c.layout('manifest')).toEqual({keys: ['a', 'c', 'd'], lengths: [1, 3, 4]})
  })
})
