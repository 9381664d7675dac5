/**
 * `npm run validators [-- --check]`: regenerate the published schemas and the precompiled
 * validators in scripts/feeds/schemas/ from the output declarations (validatorsSource.ts), or
 * with --check exit 1 when any of them is out of date.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parseCli, runCli} from '../lib/cli.ts'
import {generatedFiles} from './validatorsSource.ts'

const {values} = parseCli({
  usage: 'npm run validators -- [--check]',
  summary:
    "Generates the published JSON Schemas and the exporter's precompiled validators from scripts/feeds/outputs/.",
  options: {check: {type: 'boolean'}},
  help: {check: 'Write nothing; exit 1 when a generated file differs from the declarations'},
})

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

await runCli(async () => {
  const stale = generatedFiles()
    .map(({file, content}) => ({path: fileURLToPath(file), content}))
    .filter(({path, content}) => read(path) !== content)
  if (stale.length === 0) {
    process.stderr.write('generated schemas and validators are up to date\n')
    return 0
  }
  if (values.check) {
    for (const {path} of stale)
      process.stderr.write(`${path} is out of date: run \`npm run validators\`\n`)
    return 1
  }
  for (const {path, content} of stale) {
    writeFileSync(`${path}.part`, content)
    renameSync(`${path}.part`, path)
    process.stderr.write(`wrote ${path}\n`)
  }
  return 0
})
