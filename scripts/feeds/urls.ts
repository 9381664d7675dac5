/** Page URLs on the web frontend, UTM links for partners, and the schemes a link may use. */
import {isSafeUrl} from '../../schemas/rules/urls.ts'
import {UsageError} from '../lib/errors.ts'
import type {PageType} from './types.ts'

/** URL path segment per page type; `serum` pages are "adjuncts" because PRP is not a serum. */
export const TYPE_PATHS: Record<PageType, string> = {
  article: 'articles',
  benefit: 'benefits',
  treatment: 'treatments',
  concern: 'concerns',
  skinType: 'skin-types',
  serum: 'adjuncts',
}

/** `/benefits/fades-acne-scars`; the slug is percent-encoded so it can never add a path segment. */
export function pagePath(type: PageType, slug: string): string {
  return `/${TYPE_PATHS[type]}/${encodeURIComponent(slug)}`
}

/** An absolute http(s) base URL without a trailing slash; anything else is a usage error. */
export function normalizeBaseUrl(raw: string, what = 'base URL'): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`${what} must be an absolute http(s) URL, got "${raw}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${what} must use http or https, got "${raw}"`)
  if (url.search || url.hash)
    throw new UsageError(`${what} must not have a query or fragment, got "${raw}"`)
  return url.href.replace(/\/+$/, '')
}

export interface Utm {
  source: string
  medium: string
  campaign?: string
  content?: string
}

/** The URL with utm_* parameters appended (existing query kept, parameters in a fixed order). */
export function withUtm(url: string, utm: Utm | undefined): string {
  if (!utm) return url
  const u = new URL(url)
  u.searchParams.set('utm_source', utm.source)
  u.searchParams.set('utm_medium', utm.medium)
  if (utm.campaign) u.searchParams.set('utm_campaign', utm.campaign)
  if (utm.content) u.searchParams.set('utm_content', utm.content)
  return u.href
}

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:'])

/**
 * An editor's link made absolute against the site (feeds are read off-site, so `/x` must become
 * `https://site/x`), or undefined when it is not an http, https or mailto URL.
 */
export function resolveLink(href: string, baseUrl: string): string | undefined {
  // The Studio's rule first (same judgement as the editor saw), then the resolved URL again.
  if (!isSafeUrl(href)) return undefined
  // Browsers drop control characters and spaces inside a URL ("java\tscript:"): resolve without them.
  // eslint-disable-next-line no-control-regex -- browsers drop these characters inside URLs
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  if (compact === '') return undefined
  let url: URL
  try {
    url = new URL(compact, `${baseUrl}/`)
  } catch {
    return undefined
  }
  return LINK_SCHEMES.has(url.protocol) ? url.href : undefined
}

/**
 * A slug as one safe file name: percent-encoded like the URL, plus the characters
 * encodeURIComponent leaves (`!'()*~`), so names are portable and never contain a separator.
 */
export function slugFileName(slug: string): string {
  return encodeURIComponent(slug).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}
