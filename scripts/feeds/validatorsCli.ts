/**
 * `npm run validators [-- --check]`: regenerate scripts/feeds/schemas/validators.generated.cjs
 * from the schemas (validatorsSource.ts), or with --check exit 1 when it is out of date.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parseCli, runCli} from '../lib/cli.ts'
import {VALIDATORS_FILE, validatorsSource} from './validatorsSource.ts'

const {values} = parseCli({
  usage: 'npm run validators -- [--check]',
  summary: "Generates the exporter's precompiled JSON Schema validators from scripts/feeds/schemas/*.schema.json.",
  options: {check: {type: 'boolean'}},
  help: {check: 'Write nothing; exit 1 when the generated file differs from the schemas'},
})

await runCli(async () => {
  const file = fileURLToPath(VALIDATORS_FILE)
  const source = validatorsSource()
  let current: string | undefined
  try {
    current = readFileSync(file, 'utf8')
  } catch {
    current = undefined
  }
  if (current === source) {
    process.stderr.write(`${file} is up to date\n`)
    return 0
  }
  if (values.check) {
    process.stderr.write(`${file} is out of date: run \`npm run validators\`\n`)
    return 1
  }
  writeFileSync(`${file}.part`, source)
  renameSync(`${file}.part`, file)
  process.stderr.write(`wrote ${file}\n`)
  return 0
})
