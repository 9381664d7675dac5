/** Sanity CLI configuration: project for hosted commands, schema extraction and typegen. */
import {defineCliConfig} from 'sanity/cli'
import {LOCAL_DATASET, LOCAL_PROJECT_ID} from './scripts/studio/local.ts'

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
  telemetry: false,
} as Parameters<typeof defineCliConfig>[0])
