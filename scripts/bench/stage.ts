/**
 * One benchmark stage in a process of its own: `node scripts/bench/stage.ts <stage> '<json args>'`.
 * Prints one JSON line on stdout — the stage's figures plus this process's peak RSS — and its
 * progress on stderr. The bench CLI (cli.ts) runs it; it is not meant for users.
 */
import {apiQueries} from './api.ts'
import {publishLatency} from './publish.ts'
import {serveLoad} from './serve.ts'
import {
  compareTrees,
  createFiles,
  edit,
  exportStage,
  floor,
  generate,
  groq,
  importStage,
  validate,
  type StageResult,
} from './stages.ts'

const STAGES: Record<
  string,
  (args: never, progress: (message: string) => void) => Promise<StageResult>
> = {
  generate,
  floor,
  files: createFiles,
  import: importStage,
  validate,
  edit,
  export: exportStage,
  compare: compareTrees,
  groq,
  api: apiQueries,
  publish: publishLatency,
  serve: serveLoad,
}

const [name, json] = process.argv.slice(2)
const stage = name === undefined ? undefined : STAGES[name]
if (!stage) {
  process.stderr.write(
    `unknown stage ${JSON.stringify(name)} (${Object.keys(STAGES).join(', ')})\n`,
  )
  process.exit(2)
}
try {
  const result = await stage(JSON.parse(json ?? '{}') as never, (m) =>
    process.stderr.write(`${m}\n`),
  )
  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024)
  process.stdout.write(`${JSON.stringify({ok: true, ...result, rssMb})}\n`)
} catch (e) {
  process.stdout.write(`${JSON.stringify({ok: false, error: (e as Error)?.stack ?? String(e)})}\n`)
  process.exitCode = 1
}
