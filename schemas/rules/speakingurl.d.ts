/**
 * speakingurl ships typings but does not point to them from its package.json, so TypeScript
 * cannot find them. Only the call schemas/rules/slug.ts makes is declared.
 */
declare module 'speakingurl' {
  interface Options {
    separator?: string
    lang?: string | false
    symbols?: boolean
    maintainCase?: boolean
    truncate?: number
    custom?: Record<string, string> | string[]
  }
  export default function getSlug(input: string, options?: Options): string
}
