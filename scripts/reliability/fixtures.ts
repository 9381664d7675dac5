/**
 * Generated inputs for the crash harness: inputs big enough that a kill has a real chance to land
 * while the work (and its transaction, or its file writes) is under way, and deterministic, so the
 * states a run may leave can be computed beforehand.
 */

const TOPICS = [
  'collagen',
  'texture',
  'pores',
  'acne scars',
  'melasma',
  'hyperpigmentation',
  'fine lines',
  'firmness',
  'redness',
  'elasticity',
  'hydration',
  'stretch marks',
]

/**
 * A numbered listicle of `n` benefits. `variant` changes every body (and B drops the last few
 * benefits), so importing B over A updates and deletes documents, and A over B creates them again.
 */
export function listicle(n: number, variant: 'A' | 'B'): string {
  const count = variant === 'A' ? n : n - 7
  const word = variant === 'A' ? 'session' : 'visit'
  const parts = [
    '# Microneedling benefits, the long list',
    '',
    'Microneedling is a minimally invasive treatment that stimulates collagen. This long list exists to be imported while the process is killed.',
    '',
  ]
  for (let i = 1; i <= count; i++) {
    const topic = TOPICS[i % TOPICS.length]!
    parts.push(`${i}. Benefit ${i} for ${topic}`, '')
    parts.push(
      `Microneedling helps with ${topic} after each ${word}; results build over ${(i % 5) + 2} treatments. `
        .repeat(4)
        .trim(),
      '',
    )
    parts.push(
      `Pair it with hyaluronic acid serum and ask about ${topic} and fine lines at ${word} ${i}.`,
      '',
    )
  }
  return `${parts.join('\n')}\n`
}

/**
 * Documents in the shape the shipped migrations expect to fix: benefits without a summary (some
 * with the old free-text reviewer), adjuncts without a `kind`. NDJSON, sorted by _id.
 */
export function premigrationNdjson(benefits: number, serums: number): string {
  const docs: Array<Record<string, unknown>> = []
  const reviewers = [
    'Dr. Ada Lee, MD',
    'Sam Okafor (RN, aesthetic nurse)',
    'Dr. Mia Chen, dermatologist',
    'Dr. Omar Haddad',
  ]
  for (let i = 1; i <= benefits; i++) {
    const doc: Record<string, unknown> = {
      _id: `benefit-gen-${String(i).padStart(5, '0')}`,
      _type: 'benefit',
      title: `Generated benefit ${i}`,
      slug: {_type: 'slug', current: `generated-benefit-${i}`},
      body: [
        {
          _type: 'block',
          _key: `b${i}`,
          style: 'normal',
          markDefs: [],
          children: [
            {
              _type: 'span',
              _key: `s${i}`,
              marks: [],
              text: `Benefit ${i} smooths texture over several sessions. Most people need three to six treatments.`,
            },
          ],
        },
      ],
    }
    if (i % 3 === 0)
      doc.review = {
        _type: 'review',
        reviewer: reviewers[i % reviewers.length],
        lastReviewed: '2026-09-01',
      }
    docs.push(doc)
  }
  for (let j = 1; j <= serums; j++) {
    docs.push({
      _id: `serum-gen-${String(j).padStart(4, '0')}`,
      _type: 'serum',
      title: j % 4 === 0 ? `PRP variant ${j}` : `Serum ${j}`,
      slug: {_type: 'slug', current: `serum-gen-${j}`},
      ...(j % 4 === 0 ? {synonyms: ['platelet-rich plasma']} : {}),
    })
  }
  return `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`
}

/** NDJSON of `n` concerns whose text depends on `variant`: importing one over the other with --replace updates all. */
export function bulkNdjson(n: number, variant: 'P' | 'Q'): string {
  const lines: string[] = []
  for (let i = 1; i <= n; i++) {
    lines.push(
      JSON.stringify({
        _id: `concern-bulk-${String(i).padStart(6, '0')}`,
        _type: 'concern',
        title: `Bulk concern ${i} (${variant})`,
        slug: {_type: 'slug', current: `bulk-concern-${i}`},
        synonyms: [`bulk ${i}`, `variant ${variant}`],
        description:
          `${variant === 'P' ? 'First' : 'Second'} description of bulk concern ${i}. `.repeat(6),
      }),
    )
  }
  return `${lines.join('\n')}\n`
}
