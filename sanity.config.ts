/**
 * Studio configuration. Two workspaces:
 * - `local` (default): the project's own dataset served by the local API (`npm run studio`), no
 *   Sanity account, works offline. Only the Studio features the local API implements are on.
 * - `production`: a hosted Sanity project, present when SANITY_STUDIO_PROJECT_ID is set at build time.
 */
import {visionTool} from '@sanity/vision'
import {defineConfig, type WorkspaceOptions} from 'sanity'
import {structureTool} from 'sanity/structure'
import {schemaTypes} from './schemas/index.ts'
import {reviewBadges, structure} from './scripts/studio/structure.ts'
import {LOCAL_DATASET, LOCAL_PROJECT_ID, localApiHost} from './scripts/studio/local.ts'

// Vite exposes SANITY_STUDIO_* variables to the bundle by replacing each literal
// `process.env.SANITY_STUDIO_X` at build time — so read them exactly like that: an alias such as
// `const env = process.env` becomes `{}` in the bundle and every value is lost.
declare const process: {env: Record<string, string | undefined>}

const shared = {
  plugins: [structureTool({structure}), visionTool({defaultApiVersion: '2025-02-19'})],
  schema: {types: schemaTypes},
  document: {badges: reviewBadges},
}

/** Studio features that need hosted-only endpoints; off for the local API. */
const lean = {
  auth: {loginMethod: 'token' as const},
  releases: {enabled: false},
  scheduledPublishing: {enabled: false},
  scheduledDrafts: {enabled: false},
  tasks: {enabled: false},
  announcements: {enabled: false},
  mediaLibrary: {enabled: false},
  apps: {canvas: {enabled: false}},
  document: {...shared.document, comments: {enabled: false}},
  search: {strategy: 'groqLegacy' as const},
}

const local: WorkspaceOptions = {
  ...shared,
  ...lean,
  name: 'local',
  title: 'Skincare (local dataset)',
  basePath: '/local',
  projectId: LOCAL_PROJECT_ID,
  dataset: LOCAL_DATASET,
  // Resolved in the browser: `npm run studio` builds with SANITY_STUDIO_LOCAL_API_HOST=same-origin.
  apiHost: localApiHost(
    process.env.SANITY_STUDIO_LOCAL_API_HOST,
    typeof window === 'undefined' ? undefined : window.location,
  ),
}

const production: WorkspaceOptions[] = process.env.SANITY_STUDIO_PROJECT_ID
  ? [
      {
        ...shared,
        name: 'production',
        title: 'Skincare (hosted)',
        basePath: '/production',
        projectId: process.env.SANITY_STUDIO_PROJECT_ID,
        dataset: process.env.SANITY_STUDIO_DATASET || 'production',
      },
    ]
  : []

export default defineConfig([local, ...production])
