/** Link schemes an editor may use; anything else (javascript:, data:, vbscript:) is refused. */
export const SAFE_URL_SCHEMES = ['http', 'https', 'mailto'] as const

export function isSafeUrl(href: unknown): href is string {
  if (typeof href !== 'string') return false
  // Browsers ignore control characters and whitespace inside a scheme: strip them before judging.
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase()
  if (scheme === undefined) return compact.startsWith('/') || compact.startsWith('#')
  return (SAFE_URL_SCHEMES as readonly string[]).includes(scheme)
}
