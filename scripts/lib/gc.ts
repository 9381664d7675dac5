/**
 * A full garbage collection on request, for the few places where a large heap was just built
 * and the next work should not pay for collecting it: `gc` is exposed through V8's flag at run
 * time (the documented --expose-gc, set here so no command line needs it). `async`: V8 runs it as
 * a task of its own once this thread yields; `sync`: now. A no-op where V8 does not allow it.
 */
import v8 from 'node:v8'
import {runInNewContext} from 'node:vm'

export function collectGarbage(execution: 'sync' | 'async'): void {
  try {
    v8.setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as (options: {type: string; execution: string}) => void)({
      type: 'major',
      execution,
    })
  } catch {
    // Not available: V8 collects on its own schedule.
  }
}
