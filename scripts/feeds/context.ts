/** What one export run knows before it reads any data: options, profiles, where things go. */
import type {Problem} from '../lib/errors.ts'
import type {BuildOptions} from './build.ts'
import type {ModelOptions} from './model.ts'
import type {PartnerProfile} from './outputs/partnerProfile.ts'
import type {PageType} from './types.ts'
import type {WriteOptions} from './write.ts'

export interface ExportContext {
  /** Output folder, absolute. */
  out: string
  /** The output folder as the caller named it (reported in the summary). */
  outLabel: string
  modelOptions: ModelOptions
  profiles: PartnerProfile[]
  /** Warnings from loading the profiles and from clearing beside the output (errors stopped the export already). */
  setupWarnings: Problem[]
  build: BuildOptions
  write: WriteOptions | undefined
  progress: (message: string) => void
  started: number
  /** Incremental exports of trees up to this many files commit by a hard-link swap (incremental/commit.ts). */
  swapMaxFiles?: number
  /** Incremental exports hash an app bundle this large or larger on a thread of their own (incremental/hasher.ts). */
  hashThreadMinBytes?: number
}

export interface ExportSummary {
  ok: true
  out: string
  generatedAt: string
  /** Files in the output, manifest included. */
  files: number
  bytes: number
  pages: Record<PageType, number>
  partners: Array<{name: string; items: number; files: string[]}>
  /** Warnings for editors (unsafe links dropped, unparseable dates…). */
  warnings: Problem[]
  durationMs: number
  /** `full`: every file rendered; `incremental`: only what the changed documents affect. */
  mode: 'full' | 'incremental'
  /** Files written (or removed) by this run, manifest included. */
  changedFiles: number
  /** Why a full export ran when an incremental one was possible in principle. */
  fullReason?: string
}

export const errorsOf = (problems: readonly Problem[]) =>
  problems.filter((p) => p.level === 'error')
