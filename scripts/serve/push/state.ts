/**
 * The pusher's state file, `state.json` in its folder (0700): what each partner was last told and
 * the deliveries not yet delivered (queue.ts). Written whole after every change (temp file, then
 * rename; 0600), so a crash leaves the previous state or the new one. It holds output paths,
 * hashes and ids, never a secret or a token.
 */
import {chmodSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {PushState} from './queue.ts'

export const stateFile = (stateDir: string): string => join(stateDir, 'state.json')

const empty = (): PushState => ({version: 1, partners: {}})

/**
 * The state, or an empty one when there is none. A damaged file is reported through `onDamaged`
 * and read as empty: the next publish then records a new baseline (nothing is sent for it), which
 * costs at most one missed notice, never a wrong one.
 */
export function loadState(stateDir: string, onDamaged: (message: string) => void): PushState {
  const path = stateFile(stateDir)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty()
    onDamaged(`${path}: unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
    return empty()
  }
  try {
    const value = JSON.parse(text) as Partial<PushState>
    if (value.version === 1 && typeof value.partners === 'object' && value.partners !== null)
      return {version: 1, partners: value.partners}
  } catch {
    // reported below
  }
  onDamaged(`${path}: not a delivery state file (version 1); starting from a new baseline`)
  return empty()
}

export function saveState(stateDir: string, state: PushState): void {
  const path = stateFile(stateDir)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, `${JSON.stringify(state)}\n`, {mode: 0o600})
    // The mode applies only to a new file: a temp a killed run left keeps its own.
    chmodSync(tmp, 0o600)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}
