/** Where things live in the repo. Everything is relative to the project root, not the cwd. */
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DEFAULT_DATASET = join(ROOT, '.data', 'dataset.sqlite')
export const DEFAULT_OUT = join(ROOT, 'dist')
export const CONTENT_DIR = join(ROOT, 'content')
export const SOURCES_DIR = join(CONTENT_DIR, 'sources')
export const TAXONOMY_DIR = join(CONTENT_DIR, 'taxonomy')
export const PARTNERS_DIR = join(CONTENT_DIR, 'partners')
