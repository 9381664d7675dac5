import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {runScript} from '../helpers/run.ts'
import {testStore, type TestStore} from '../store/setup.ts'

const CLI = 'scripts/query/cli.ts'
let store: TestStore

beforeEach(() => {
  store = testStore('query-cli-')
  const ds = store.open()
  ds.transaction([
    {create: {_id: 'concern-a', _type: 'concern', title: 'A'}},
    {
      create: {
        _id: 'benefit-a',
        _type: 'benefit',
        title: 'Benefit',
        concerns: [{_key: 'k', _type: 'reference', _ref: 'concern-a'}],
      },
    },
    {create: {_id: 'drafts.benefit-a', _type: 'benefit', title: 'Benefit (draft)'}},
  ])
  ds.close()
})
afterEach(() => store.cleanup())

// SANITY_PROJECT_ID is cleared so the embedded dataset is used whatever the developer's shell has.
const run = (args: string[]) =>
  runScript(CLI, [...args, '--dataset', store.path], {env: {SANITY_PROJECT_ID: ''}})

describe('npm run query', () => {
  it('prints the result as JSON', () => {
    const r = run([
      '*[_type == $t]{title, "concerns": concerns[]->title}',
      '--params',
      '{"t":"benefit"}',
    ])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([{title: 'Benefit', concerns: ['A']}])
  })

  it('applies --perspective', () => {
    expect(
      JSON.parse(run(['*[_type == "benefit"][0].title', '--perspective', 'drafts']).stdout),
    ).toBe('Benefit (draft)')
    expect(JSON.parse(run(['count(*)', '--perspective', 'raw']).stdout)).toBe(3)
  })

  it('--json wraps the result in one object', () => {
    const out = JSON.parse(run(['count(*)', '--json']).stdout)
    expect(out).toMatchObject({ok: true, source: 'local', result: 2})
  })

  it('reports GROQ syntax errors (exit 1) and bad options (exit 2)', () => {
    const bad = run(['*[_type ==', '--json'])
    expect(bad.status).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ok: false, error: {code: 'GROQ'}})
    expect(run(['*', '--perspective', 'previewDrafts']).status).toBe(2)
    expect(run(['*', '--params', '[1]']).status).toBe(2)
  })
})
