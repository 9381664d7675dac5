/** Every HTTP route of the local API, most specific first. */
import type {Route} from '../types.ts'
import {actionRoutes} from './actions.ts'
import {docRoutes} from './doc.ts'
import {exportRoutes} from './export.ts'
import {historyRoutes} from './history.ts'
import {hookRoutes} from './hooks.ts'
import {listenRoutes} from './listen.ts'
import {miscRoutes} from './misc.ts'
import {mutateRoutes} from './mutate.ts'
import {projectRoutes} from './project.ts'
import {queryRoutes} from './query.ts'
import {userRoutes} from './users.ts'

export const routes: Route[] = [
  ...queryRoutes,
  ...docRoutes,
  ...mutateRoutes,
  ...actionRoutes,
  ...listenRoutes,
  ...historyRoutes,
  ...exportRoutes,
  ...userRoutes,
  ...hookRoutes,
  ...projectRoutes,
  ...miscRoutes,
]
