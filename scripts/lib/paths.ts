/** Where things live in the repo. Everything is relative to the project root, not the cwd. */
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The project's own data folder: the dataset, its token, caches (0700, see private.ts). */
export const DEFAULT_DATA_DIR = join(ROOT, '.data')
export const DEFAULT_DATASET = join(DEFAULT_DATA_DIR, 'dataset.sqlite')
export const DEFAULT_OUT = join(ROOT, 'dist')
export const CONTENT_DIR = join(ROOT, 'content')
export const SOURCES_DIR = join(CONTENT_DIR, 'sources')
export const TAXONOMY_DIR = join(CONTENT_DIR, 'taxonomy')
export const MIGRATIONS_DIR = join(ROOT, 'migrations')
