/** Body areas a benefit names, via the shared rule in schemas/rules/bodyAreas.ts, minus one false friend. */
import {findBodyAreas, type BodyArea} from '../../schemas/rules/bodyAreas.ts'

/**
 * Body areas named in a text. "back" is also an adverb ("adds back thickness", "bounce back"): it
 * counts as the body area only after an article, possessive, qualifier or list separator, or
 * before "acne"/"skin".
 */
export function bodyAreasIn(text: string): BodyArea[] {
  const masked = text.replace(
    /(^|[^\p{L}])back(?![\p{L}])/giu,
    (whole, before: string, offset: number) => {
      const preceding = text.slice(Math.max(0, offset - 20), offset + before.length)
      const following = text.slice(offset + whole.length, offset + whole.length + 12)
      const isArea =
        /(?:\b(?:the|your|my|her|his|their|our|upper|lower|mid|middle|and|or)\s+|,\s*)$/i.test(
          preceding,
        ) || /^\s+(?:acne|skin)\b/i.test(following)
      return isArea ? whole : `${before}____`
    },
  )
  return findBodyAreas(masked)
}
