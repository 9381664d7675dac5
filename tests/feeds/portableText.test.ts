/**
 * sanitizeBlocks: a stored block already in sanitized form is exported as it is (the same
 * object, not a copy); anything else is copied in that form, so sanitizing twice changes nothing.
 */
import {describe, expect, it} from 'vitest'
import type {Problem} from '../../scripts/lib/errors.ts'
import {sanitizeBlocks} from '../../scripts/feeds/portableText.ts'

const BASE = 'https://skincare.example'
const ctx = {baseUrl: BASE, documentId: 'benefit-x', field: 'body'}
const span = (key: string, text: string, marks: string[] = []) => ({
  _type: 'span',
  _key: key,
  text,
  marks,
})
const clean = () => ({
  _type: 'block',
  _key: 'b1',
  style: 'normal',
  markDefs: [{_type: 'link', _key: 'l1', href: 'https://example.org/a'}],
  children: [span('s1', 'Plain '), span('s2', 'linked', ['l1', 'strong'])],
})
const cleanList = () => ({
  _type: 'block',
  _key: 'b2',
  style: 'h2',
  listItem: 'number',
  level: 2,
  markDefs: [],
  children: [span('s3', 'Item')],
})

const sanitize = (value: unknown) => {
  const problems: Problem[] = []
  return {blocks: sanitizeBlocks(value, ctx, problems), problems}
}

describe('sanitizeBlocks', () => {
  it('returns blocks already in sanitized form as they are', () => {
    const input = [clean(), cleanList()]
    const {blocks, problems} = sanitize(input)
    expect(blocks[0]).toBe(input[0])
    expect(blocks[1]).toBe(input[1])
    expect(problems).toEqual([])
  })

  const copied: Array<[string, (b: Record<string, unknown>) => void]> = [
    [
      'members in another order',
      (b) => {
        const {markDefs, children} = b
        delete b.markDefs
        delete b.children
        Object.assign(b, {children, markDefs})
      },
    ],
    ['an extra member', (b) => (b.extra = 1)],
    ['a missing member', (b) => delete b.markDefs],
    ['a list member without its level', (b) => (b.listItem = 'bullet')],
    ['a relative link', (b) => ((b.markDefs as Array<Record<string, unknown>>)[0]!.href = '/a')],
    [
      'a javascript: link',
      (b) => ((b.markDefs as Array<Record<string, unknown>>)[0]!.href = 'javascript:alert(1)'),
    ],
    [
      'a control character',
      (b) => ((b.children as Array<Record<string, unknown>>)[0]!.text = 'Pla\u0007in '),
    ],
    [
      'an unknown mark',
      (b) => ((b.children as Array<Record<string, unknown>>)[0]!.marks = ['underline']),
    ],
    ['a span without a key', (b) => delete (b.children as Array<Record<string, unknown>>)[0]!._key],
    ['an unknown style', (b) => (b.style = 'h1')],
    ['a list level past 6', (b) => Object.assign(b, {listItem: 'bullet', level: 9})],
  ]
  it.each(copied)('copies a block with %s, in sanitized form', (name, spoil) => {
    const raw = clean() as Record<string, unknown>
    spoil(raw)
    const {blocks, problems} = sanitize([raw])
    expect(blocks[0]).not.toBe(raw)
    // Sanitizing the copy again keeps it: it is in the form the reuse check accepts.
    const again = sanitize(blocks)
    expect(again.blocks[0]).toBe(blocks[0])
    expect(again.problems).toEqual([])
    expect(JSON.stringify(again.blocks)).toBe(JSON.stringify(blocks))
    // Only a link that cannot be exported is reported (it goes out as plain text).
    expect(problems.map((p) => p.path)).toEqual(
      name === 'a javascript: link' ? ['body[_key=="b1"].markDefs[_key=="l1"].href'] : [],
    )
  })

  it('writes members in one order whichever path a block takes', () => {
    const reordered = {...cleanList(), extra: true}
    const {blocks} = sanitize([clean(), reordered])
    expect(Object.keys(blocks[0]!)).toEqual(['_type', '_key', 'style', 'markDefs', 'children'])
    expect(Object.keys(blocks[1]!)).toEqual([
      '_type',
      '_key',
      'style',
      'listItem',
      'level',
      'markDefs',
      'children',
    ])
    expect(Object.keys(blocks[0]!.children[0]!)).toEqual(['_type', '_key', 'text', 'marks'])
  })
})
