/**
 * Evidence and review that expires, as the Studio's own rules report them headless (the module
 * behind `npm run validate`, and the command itself for the review period setting).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {runScript} from '../helpers/run.ts'

const sys = {_rev: 'r1', _createdAt: '2026-01-01T00:00:00Z', _updatedAt: '2026-01-01T00:00:00Z'}
const block = (text: string) => ({
  _type: 'block',
  _key: 'b0',
  style: 'normal',
  markDefs: [],
  children: [{_type: 'span', _key: 'b0s', text, marks: []}],
})
const dir = mkdtempSync(join(tmpdir(), 'validate-review-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const today = new Date().toISOString().slice(0, 10)
const review = (lastReviewed: string) => ({
  _type: 'review',
  lastReviewed,
  reviewedBy: {_type: 'reference', _ref: 'person-p'},
})
const reviewer = {
  _id: 'person-p',
  _type: 'person',
  name: 'Dr P',
  slug: {_type: 'slug', current: 'p'},
}
const benefit = (id: string, extra: Record<string, unknown>) => ({
  _id: id,
  _type: 'benefit',
  title: 'Erases Stretch Marks',
  summary: 'Safe for all skin types.',
  slug: {_type: 'slug', current: id},
  body: [block('Needling remodels the dermis.')],
  ...extra,
})
const docs = (...list: Array<Record<string, unknown>>) =>
  list.map((d) => ({...sys, ...d})) as StoredDocument[]

const at = (problems: Awaited<ReturnType<typeof validateDocuments>>['problems']) => {
  return (id: string, path: string) =>
    problems.filter((p) => p.documentId === id && p.path === path)
}

describe('uncited absolute claims', () => {
  it('warn on a benefit without a citation, naming the claims; not on a cited one', async () => {
    const report = await validateDocuments(
      docs(
        reviewer,
        benefit('benefit-uncited', {review: review(today)}),
        benefit('benefit-cited', {
          review: review(today),
          citations: [
            {_type: 'citation', _key: 'c1', title: 'A controlled trial', doi: '10.1000/182'},
          ],
        }),
      ),
    )
    const find = at(report.problems)
    expect(find('benefit-uncited', 'citations')).toEqual([
      {
        documentId: 'benefit-uncited',
        path: 'citations',
        level: 'warning',
        message:
          'Absolute claim without a citation: "Erases", "Safe for all skin types". Cite a source (a DOI, PubMed id or https URL) or qualify the claim',
      },
    ])
    expect(
      report.problems.filter(
        (p) => p.documentId === 'benefit-cited' && /citation/i.test(p.path + p.message),
      ),
    ).toEqual([])
    expect(report.errors).toBe(0)
  })

  it('still warn when the only citation is malformed, which is an error on its field', async () => {
    const report = await validateDocuments(
      docs(
        benefit('benefit-bad-cite', {
          citations: [
            {_type: 'citation', _key: 'c1', title: 'A trial', doi: 'https://doi.org/10.1000/182'},
            {_type: 'citation', _key: 'c2', pmid: '12345678', url: 'http://example.org/x'},
          ],
        }),
      ),
    )
    const find = at(report.problems)
    expect(find('benefit-bad-cite', 'citations').map((p) => p.level)).toEqual(['warning'])
    expect(find('benefit-bad-cite', 'citations[_key=="c1"].doi')).toMatchObject([
      {level: 'error', message: expect.stringMatching(/^DOI must be "10\."/)},
    ])
    expect(find('benefit-bad-cite', 'citations[_key=="c2"].title')).toMatchObject([
      {level: 'error', message: 'A citation needs the title of what it cites'},
    ])
    expect(find('benefit-bad-cite', 'citations[_key=="c2"].url')).toMatchObject([
      {level: 'error', message: expect.stringMatching(/^URL must be an absolute https:\/\//)},
    ])
    expect(find('benefit-bad-cite', 'citations[_key=="c2"]')).toMatchObject([
      {
        level: 'error',
        message: expect.stringMatching(/^A citation must have exactly one identifier/),
      },
    ])
  })
})

describe('review that expires', () => {
  it('warns on a review older than the period, on benefits and articles; not on a current one', async () => {
    const report = await validateDocuments(
      docs(
        reviewer,
        benefit('benefit-old', {review: review('2000-01-01')}),
        benefit('benefit-new', {review: review(today)}),
        {
          _id: 'article-old',
          _type: 'article',
          title: 'A',
          slug: {_type: 'slug', current: 'a'},
          review: review('2000-01-01'),
        },
      ),
    )
    const find = at(report.problems)
    for (const id of ['benefit-old', 'article-old'])
      expect(find(id, 'review.lastReviewed'), id).toMatchObject([
        {
          level: 'warning',
          message: expect.stringMatching(
            /^Review expired: last reviewed 2000-01-01, more than 12 months ago \(reviews dated before \d{4}-\d{2}-\d{2} have expired; SANITY_STUDIO_REVIEW_MONTHS sets the period\)/,
          ),
        },
      ])
    expect(find('benefit-new', 'review.lastReviewed')).toEqual([])
  })

  it('`npm run validate` takes the period from SANITY_STUDIO_REVIEW_MONTHS', () => {
    const path = join(dir, 'dataset.sqlite')
    const ds = Dataset.open(path)
    // Reviewed about three years ago: expired under the default 12 months, current under 48.
    const threeYearsAgo = `${Number(today.slice(0, 4)) - 3}${today.slice(4, 8)}01`
    ds.transaction(
      [reviewer, benefit('benefit-b', {review: review(threeYearsAgo)})].map((d) => ({
        createOrReplace: d,
      })),
    )
    ds.close()
    const expired = (env: Record<string, string>) => {
      const r = runScript('scripts/validate/cli.ts', ['--dataset', path, '--json', '--no-cache'], {
        env,
      })
      expect(r.status, r.stderr).toBe(0)
      const report = JSON.parse(r.stdout) as {problems: Array<{path: string; message: string}>}
      return report.problems.filter(
        (p) => p.path === 'review.lastReviewed' && p.message.startsWith('Review expired'),
      )
    }
    expect(expired({SANITY_STUDIO_REVIEW_MONTHS: '12'})).toHaveLength(1)
    expect(expired({SANITY_STUDIO_REVIEW_MONTHS: '48'})).toEqual([])
  })
})
