/**
 * Project metadata the Studio loads at start: the project, grants (without `deployStudio`,
 * so no deploy prompts), datasets, and the dataset ACL from which the Studio computes what
 * the user may do (everything, for the token holder).
 */
import {HttpError, sendJson} from '../http.ts'
import type {ApiContext, Route} from '../types.ts'

const CREATED_AT = '2024-01-01T00:00:00Z'

function assertProject(app: ApiContext, id: string | undefined): void {
  if (id !== app.projectId)
    throw new HttpError(
      404,
      `Project "${id ?? ''}" not found (this API serves "${app.projectId}")`,
      'notFound',
    )
}

function project(app: ApiContext) {
  return {
    id: app.projectId,
    displayName: 'Skincare content (local)',
    studioHost: null,
    externalStudioHost: null,
    isBlocked: false,
    isDisabled: false,
    isDisabledByUser: false,
    activityFeedEnabled: false,
    metadata: {color: '#2276FC', externalStudioHost: null},
    maxRetentionDays: 3650,
    members: [
      {
        id: app.user.id,
        role: 'administrator',
        roles: [{name: 'administrator', title: 'Administrator'}],
        isRobot: false,
        isCurrentUser: true,
        createdAt: CREATED_AT,
      },
    ],
    features: [],
    organizationId: null,
    pendingInvites: 0,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
  }
}

function dataset(app: ApiContext) {
  return {
    name: app.datasetName,
    aclMode: 'public',
    createdAt: CREATED_AT,
    createdByUserId: app.user.id,
    addonFor: null,
    datasetProfile: 'content',
    features: [],
    tags: [],
  }
}

export const projectRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/projects\/(?<id>[^/]+)$/,
    access: 'public',
    handle(ctx, app) {
      assertProject(app, ctx.params.id)
      sendJson(ctx.res, 200, project(app))
    },
  },
  {
    method: 'GET',
    pattern: /^\/projects\/(?<id>[^/]+)\/grants$/,
    access: 'token',
    handle(ctx, app) {
      assertProject(app, ctx.params.id)
      sendJson(ctx.res, 200, {
        'sanity.project': [{grants: [{name: 'read'}], config: {}}],
        'sanity.project.members': [{grants: [{name: 'read'}], config: {}}],
      })
    },
  },
  {
    method: 'GET',
    pattern: /^\/projects\/(?<id>[^/]+)\/datasets$/,
    access: 'public',
    handle(ctx, app) {
      assertProject(app, ctx.params.id)
      // Addon datasets (comments) do not exist locally.
      sendJson(ctx.res, 200, ctx.query.get('datasetProfile') === 'comments' ? [] : [dataset(app)])
    },
  },
  {
    method: 'GET',
    pattern: /^\/projects\/(?<id>[^/]+)\/datasets\/(?<ds>[^/]+)\/acl$/,
    access: 'token',
    handle(ctx, app) {
      assertProject(app, ctx.params.id)
      if (ctx.params.ds !== app.datasetName)
        throw new HttpError(404, `Dataset "${ctx.params.ds}" not found`, 'notFound')
      sendJson(ctx.res, 200, [
        {
          filter: '_id in path("**")',
          permissions: ['history', 'read', 'update', 'create', 'manage'],
        },
      ])
    },
  },
  {
    method: 'GET',
    pattern: /^\/projects\/(?<id>[^/]+)\/user-applications$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, []),
  },
  {
    method: 'GET',
    pattern: /^\/features$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, []),
  },
  {
    method: 'GET',
    pattern: /^\/datasets$/,
    access: 'public',
    handle: (ctx, app) => sendJson(ctx.res, 200, [dataset(app)]),
  },
]
