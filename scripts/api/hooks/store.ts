/**
 * Webhooks kept in the dataset file's `meta` table (one row, a JSON list), not as documents: a
 * hook's secret and URL must never be reachable by a query, an export or a listener. Every call
 * reads the row afresh, so hooks made by another server on the same file count at its next poll,
 * and each change is one synchronous read-modify-write on this thread.
 */
import {randomBytes} from 'node:crypto'
import type {Dataset} from '../../store/dataset.ts'
import type {HookSettings, StoredHook} from './types.ts'

const META_KEY = 'webhooks'
/** Sanity caps hooks per project by plan; a cap here keeps every poll's work bounded. */
export const MAX_HOOKS = 100

const DEFAULTS: Omit<HookSettings, 'type' | 'name' | 'url' | 'dataset'> = {
  description: null,
  rule: {on: ['create', 'update', 'delete'], filter: null, projection: null},
  apiVersion: 'v2021-03-25',
  httpMethod: 'POST',
  includeDrafts: false,
  headers: {},
  secret: null,
  isDisabledByUser: false,
}

export type HookChanges = Partial<Omit<HookSettings, 'rule'>> & {
  rule?: Partial<HookSettings['rule']>
}

export class HookStore {
  private readonly ds: Dataset

  constructor(ds: Dataset) {
    this.ds = ds
  }

  list(): StoredHook[] {
    return this.ds.getMeta<StoredHook[]>(META_KEY) ?? []
  }

  get(id: string): StoredHook | undefined {
    return this.list().find((h) => h.id === id)
  }

  /** A new hook from validated settings (type, name, url and dataset present); undefined past MAX_HOOKS. */
  create(
    settings: HookChanges,
    owner: {projectId: string; userId: string; now: string},
  ): StoredHook | undefined {
    const hooks = this.list()
    if (hooks.length >= MAX_HOOKS) return undefined
    const hook: StoredHook = {
      ...DEFAULTS,
      ...(settings as HookSettings),
      rule: {...DEFAULTS.rule, ...settings.rule},
      id: newHookId(),
      projectId: owner.projectId,
      createdAt: owner.now,
      createdByUserId: owner.userId,
      fromSeq: this.ds.lastSeq(),
    }
    this.ds.setMeta(META_KEY, [...hooks, hook])
    return hook
  }

  /** The hook with `changes` applied (the rule field by field); undefined if there is none. */
  update(id: string, changes: HookChanges): StoredHook | undefined {
    const hooks = this.list()
    const i = hooks.findIndex((h) => h.id === id)
    if (i < 0) return undefined
    const old = hooks[i]!
    const hook: StoredHook = {
      ...old,
      ...(changes as Partial<HookSettings>),
      rule: {...old.rule, ...changes.rule},
    }
    hooks[i] = hook
    this.ds.setMeta(META_KEY, hooks)
    return hook
  }

  remove(id: string): StoredHook | undefined {
    const hooks = this.list()
    const hook = hooks.find((h) => h.id === id)
    if (hook)
      this.ds.setMeta(
        META_KEY,
        hooks.filter((h) => h !== hook),
      )
    return hook
  }
}

/** Sanity's hook ids are short random strings. */
const newHookId = (): string => randomBytes(12).toString('base64url')
