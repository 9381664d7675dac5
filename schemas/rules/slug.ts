/**
 * The one slugify: the slug fields' `options.slugify` (what the Studio's "Generate" button runs)
 * and the importer both call it, so a title gets the same slug either way.
 *
 * It is speakingurl, which the Studio uses by default (`{truncate: maxLength, symbols: true}`),
 * with these differences, each because the default reads worse in an English site's URLs:
 * - accents on Latin letters are dropped ("Über" → `uber`, "Crème" → `creme`), not spelled the
 *   German way (`ueber`); other scripts are still transliterated ("Ω-3 oil" → `o-3-oil`,
 *   "ß" → `ss`);
 * - apostrophes join a word instead of splitting it: "Doesn't" → `doesnt`, not `doesn-t`;
 * - `&` reads "and", but no other symbol becomes a word: in "Peels | Clinic" the bar separates,
 *   it does not mean `or`, and `<`/`>` are not `less-than`/`greater-than`;
 * - the length is the slug fields' maxLength, cut at a word boundary (as speakingurl does).
 */
import getSlug from 'speakingurl'

/** Longest slug; the slug fields' `maxLength`. */
export const SLUG_MAX_LENGTH = 96

const APOSTROPHES = /['’‘ʼ]/g
/** Combining marks on a Latin letter, once NFKD has split them off ("ü" → "u" + U+0308). */
const LATIN_ACCENTS = /(\p{Script=Latin})\p{M}+/gu

export function slugify(text: string): string {
  const plain = text
    .normalize('NFKD')
    .replace(LATIN_ACCENTS, '$1')
    .normalize('NFC') // speakingurl's tables hold composed letters ("й"), not decomposed ones
    .replace(APOSTROPHES, '')
    .replace(/&/g, ' and ')
  return getSlug(plain, {truncate: SLUG_MAX_LENGTH, symbols: false})
}
