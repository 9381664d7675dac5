/**
 * An incremental export committed by staged renames (swapMaxFiles 0: the large-tree commit, on a
 * small tree) that kills itself with SIGKILL right after the `killAfter`-th file of the commit —
 * a kill -9 placed exactly inside the commit, which random kills almost never hit. With
 * `killAfter` 0 it runs to the end and prints {mode, commitFiles}. One JSON argument.
 */
import {exportFeeds} from '../../../scripts/feeds/export.ts'

const job = JSON.parse(process.argv[2]!) as {
  dataset: string
  out: string
  killAfter: number
  now: string
}
let commitFiles = 0
const summary = await exportFeeds({
  dataset: job.dataset,
  out: job.out,
  now: job.now,
  swapMaxFiles: 0,
  write: {
    onCommitFile(done) {
      commitFiles = done
      if (done === job.killAfter) process.kill(process.pid, 'SIGKILL')
    },
  },
})
process.stdout.write(`${JSON.stringify({mode: summary.mode, commitFiles})}\n`)
