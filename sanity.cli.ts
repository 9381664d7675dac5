/** Sanity CLI configuration: project for hosted commands, schema extraction and typegen. */
import {defineCliConfig} from 'sanity/cli'
import {LOCAL_DATASET, LOCAL_PROJECT_ID} from './scripts/studio/local.ts'
import {offlineStudio} from './scripts/studio/offline.ts'

export default defineCliConfig({
  api: {
    projectId: process.env.SANITY_STUDIO_PROJECT_ID || LOCAL_PROJECT_ID,
    dataset: process.env.SANITY_STUDIO_DATASET || LOCAL_DATASET,
  },
  schemaExtraction: {path: './schema.json', workspace: 'local', enforceRequiredFields: true},
  typegen: {
    path: ['./scripts/**/*.ts'],
    schema: './schema.json',
    generates: './sanity.types.ts',
    overloadClientMethods: true,
  },
  // No `telemetry` key: the CLI reads DO_NOT_TRACK=1 (set by .ci/run and the tests) instead.
  deployment: {autoUpdates: false},
  // The built Studio calls no outside host (see scripts/studio/offline.ts).
  vite: (config) => ({...config, plugins: [...(config.plugins ?? []), offlineStudio()]}),
})
