/** Identity of the embedded dataset as the Studio and @sanity/client see it through the local API. */
export const LOCAL_PROJECT_ID = 'local'
export const LOCAL_DATASET = 'production'

/** Where `sanity dev` (or a build without the marker) expects `npm run api`. */
export const DEFAULT_LOCAL_API_HOST = 'https://localhost:3334'

/**
 * Build-time value of SANITY_STUDIO_LOCAL_API_HOST meaning "the API is whoever serves this
 * page": `npm run studio` serves the built Studio from the API server itself, so one build
 * works on any port (the apiHost is otherwise baked into the bundle).
 */
export const SAME_ORIGIN_API_HOST = 'same-origin'

/**
 * The local workspace's apiHost. The Studio prefixes the projectId to its host
 * (`https://localhost:3334` → `https://local.localhost:3334`), so the host must be a name
 * with subdomains — `localhost`, never an IP address.
 */
export function localApiHost(
  configured: string | undefined,
  location?: {protocol: string; hostname: string; port: string},
): string {
  if (configured && configured !== SAME_ORIGIN_API_HOST) return configured
  if (configured === SAME_ORIGIN_API_HOST && location) {
    const host =
      location.hostname === '127.0.0.1' || location.hostname === '[::1]'
        ? 'localhost'
        : location.hostname
    return `${location.protocol}//${host}${location.port ? `:${location.port}` : ''}`
  }
  return DEFAULT_LOCAL_API_HOST
}
