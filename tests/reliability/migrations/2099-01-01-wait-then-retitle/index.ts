/**
 * A test migration for the concurrency tests: it reads the concerns, then waits until the file
 * named by RELIABILITY_BARRIER exists before it returns its patch — so a test can let another
 * writer (the Studio, through the local API) change the same document in between, at a moment it
 * controls rather than by timing.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {at, defineMigration, set} from 'sanity/migrate'

export default defineMigration({
  title: 'Retitle concerns, after a barrier',
  documentTypes: ['concern'],
  migrate: {
    async document(doc) {
      const barrier = process.env.RELIABILITY_BARRIER
      if (barrier) {
        // Tell the test the document has been read, then wait for its go.
        writeFileSync(`${barrier}.reading`, doc._id)
        while (!existsSync(barrier)) await sleep(2)
      }
      return at('title', set(`Migrated: ${String(doc.title)}`))
    },
  },
})
