/**
 * The cue lexicon for reading relations (scripts/import/README.md, "Linking"): curated data in the
 * spirit of NegEx/ConText (Chapman et al.), not patterns tuned to one article. A pattern is a
 * sequence of words matched against a sentence's word tokens (lower case, ’ read as '):
 * `a|b` is either word, a trailing `?` makes the element optional. Add phrases here, not code.
 */

/**
 * What a cue does to the taxonomy terms in its scope:
 * - `contraindicated`: not for them ("not suitable for", "should not", "contraindicated", "except");
 * - `caution`: only with care or advice ("pause", "postpone", "consult", "start with mild");
 * - `uncertain`: a hedge ("may not be ideal", "some people with"): flagged for an editor;
 * - `effect`: names what a treatment may cause ("risk of", "side effects such as"): not a relation.
 */
export type CueClass = 'contraindicated' | 'caution' | 'uncertain' | 'effect'

/**
 * Where the scope lies: after the cue, before it (post-triggers: "… is not recommended"), or
 * `either`: after it when a term follows within reach, else before it ("not suitable for X" and
 * "X is not suitable").
 */
export type Direction = 'forward' | 'backward' | 'either'

export interface CueEntry {
  pattern: string
  class: CueClass
  direction: Direction
  /** The cue is an instruction, so its clause is kept as the relation's advice. */
  advice?: true
}

const ADJ_OK = 'suitable|recommended|advised|advisable|safe|appropriate|intended|meant|designed'
const MILD = 'mild|milder|gentle|gentler|light|lighter|low|lower|superficial|shallow|shallower'
const DOCTOR = 'doctor|dermatologist|gp|physician|prescriber|practitioner|provider|clinician'

export const CUES: readonly CueEntry[] = [
  // Negation and exclusion: who or what a treatment is not for.
  {pattern: `not ${ADJ_OK}`, class: 'contraindicated', direction: 'either'},
  {pattern: `isn't|aren't|wasn't ${ADJ_OK}`, class: 'contraindicated', direction: 'either'},
  {pattern: 'unsuitable|unsafe|inappropriate', class: 'contraindicated', direction: 'either'},
  {pattern: 'does|do not suit', class: 'contraindicated', direction: 'either'},
  {pattern: 'do|does|would not recommend|advise', class: 'contraindicated', direction: 'either'},
  {
    pattern: "don't|doesn't|wouldn't recommend|advise",
    class: 'contraindicated',
    direction: 'either',
  },
  {pattern: "doesn't|don't|won't suit", class: 'contraindicated', direction: 'either'},
  {pattern: 'not for', class: 'contraindicated', direction: 'either'},
  {
    pattern: 'not a|an? good|suitable|ideal|safe|right candidate|candidates',
    class: 'contraindicated',
    direction: 'either',
  },
  {pattern: 'poor candidate|candidates', class: 'contraindicated', direction: 'either'},
  {pattern: 'should|must not|never', class: 'contraindicated', direction: 'either'},
  {pattern: "shouldn't|mustn't", class: 'contraindicated', direction: 'either'},
  {
    pattern: 'do|does not use|apply|have|get|book|combine|undergo|try',
    class: 'contraindicated',
    direction: 'either',
    advice: true,
  },
  {
    pattern: "don't|doesn't|never use|apply|have|get|book|combine|undergo|try",
    class: 'contraindicated',
    direction: 'either',
    advice: true,
  },
  {pattern: 'avoid|avoiding|avoided', class: 'contraindicated', direction: 'either', advice: true},
  {
    pattern: "cannot|can't|shouldn't|mustn't be used|done|performed|applied",
    class: 'contraindicated',
    direction: 'either',
  },
  {
    pattern: 'steer|stay clear|away of|from',
    class: 'contraindicated',
    direction: 'either',
    advice: true,
  },
  {
    pattern: 'contraindicated|contra-indicated|contraindication|contraindications',
    class: 'contraindicated',
    direction: 'either',
  },
  {pattern: 'except for?', class: 'contraindicated', direction: 'forward'},
  {pattern: 'excluding', class: 'contraindicated', direction: 'forward'},
  {pattern: 'unless', class: 'contraindicated', direction: 'forward'},

  // Caution: possible, with care or with a pause; most of these are advice.
  {pattern: 'use|exercise|with caution', class: 'caution', direction: 'either'},
  {pattern: 'caution', class: 'caution', direction: 'either'},
  {pattern: 'be careful', class: 'caution', direction: 'either'},
  {pattern: 'take extra? care', class: 'caution', direction: 'either'},
  {pattern: 'with extra? care', class: 'caution', direction: 'either'},
  {pattern: 'not ideal', class: 'caution', direction: 'either'},
  {pattern: 'pause|pausing|paused', class: 'caution', direction: 'either', advice: true},
  {
    pattern: 'stop|stopping using|applying|taking',
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {pattern: 'be|been|is|are stopped', class: 'caution', direction: 'either', advice: true},
  {pattern: 'discontinue|discontinued', class: 'caution', direction: 'either', advice: true},
  {pattern: 'hold off', class: 'caution', direction: 'either', advice: true},
  {pattern: 'skip|skipping', class: 'caution', direction: 'either', advice: true},
  {
    pattern: 'wait|waiting until|till|for|at|to',
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {
    pattern: 'postpone|postponed|delay|delayed|reschedule',
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {pattern: 'consult|consulting', class: 'caution', direction: 'either', advice: true},
  {
    pattern: `ask|see|check with? your|a ${DOCTOR}`,
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {
    pattern: `talk|speak to|with your|a ${DOCTOR}`,
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {pattern: 'patch test|tests', class: 'caution', direction: 'either', advice: true},
  {
    pattern: `start|begin with|on a|an? ${MILD}`,
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {pattern: `stick to|with ${MILD}`, class: 'caution', direction: 'either', advice: true},
  {pattern: `choose|opt for? a|an? ${MILD}`, class: 'caution', direction: 'either', advice: true},
  {
    pattern: `${MILD}|reduced|conservative settings|depth|depths|strength|strengths|concentration|concentrations`,
    class: 'caution',
    direction: 'either',
    advice: true,
  },
  {pattern: 'higher|greater|increased|more risk', class: 'caution', direction: 'backward'},
  {pattern: 'at higher|greater|increased? risk', class: 'caution', direction: 'backward'},
  {pattern: 'more prone|likely|susceptible', class: 'caution', direction: 'backward'},
  {pattern: 'can|may|could|might|often develop|get', class: 'caution', direction: 'backward'},

  // Hedges: the text is unsure, so an editor decides.
  {
    pattern: `may|might not be a|an|the? ${ADJ_OK}|ideal|right|best`,
    class: 'uncertain',
    direction: 'either',
  },
  {pattern: 'may|might not suit', class: 'uncertain', direction: 'either'},
  {pattern: 'may|might be unsuitable|too', class: 'uncertain', direction: 'either'},
  {pattern: `not always ${ADJ_OK}|ideal`, class: 'uncertain', direction: 'either'},
  {pattern: `less ${ADJ_OK}|ideal|effective`, class: 'uncertain', direction: 'either'},
  {pattern: 'some people|patients|clients with|who', class: 'uncertain', direction: 'forward'},
  {pattern: 'not everyone with|who', class: 'uncertain', direction: 'forward'},
  {
    pattern: 'may|might|can|could irritate|aggravate|sting|worsen|inflame|sensitise|sensitize',
    class: 'uncertain',
    direction: 'either',
  },
  {
    pattern: 'irritate|irritates|aggravate|aggravates|worsen|worsens|inflame|inflames',
    class: 'uncertain',
    direction: 'forward',
  },
  {pattern: 'depending|depends on', class: 'uncertain', direction: 'either'},
  {pattern: 'in some cases', class: 'uncertain', direction: 'either'},
  {pattern: 'vary|varies|variable', class: 'uncertain', direction: 'either'},
  // A bare negation says something is not so, but not what: never a link, always a question.
  {
    pattern: "not|never|isn't|aren't|doesn't|don't|won't|can't|cannot",
    class: 'uncertain',
    direction: 'forward',
  },

  // Effects: what a treatment may cause or prevent is not who it suits.
  {pattern: 'risk|risks|chance|chances|danger of', class: 'effect', direction: 'forward'},
  {
    pattern: 'cause|causes|caused|causing|trigger|triggers|triggering',
    class: 'effect',
    direction: 'forward',
  },
  {pattern: 'lead|leads|result|results to|in', class: 'effect', direction: 'forward'},
  {pattern: 'side effect|effects like|such|including|of', class: 'effect', direction: 'forward'},
  {pattern: 'to|helps|help avoid|prevent', class: 'effect', direction: 'forward'},
  {pattern: 'prone|likely to', class: 'effect', direction: 'forward'},
  {pattern: 'develop|developing', class: 'effect', direction: 'forward'},
]

/** Phrases that contain a cue but are not one ("not only", negated harm: "won't irritate"). */
export const PSEUDO_CUES: readonly string[] = [
  'not only',
  'not just',
  'not to mention',
  'not least',
  'not limited to',
  'not surprisingly',
  'no matter',
  'no wonder',
  'no doubt',
  'no more',
  'no longer visible|noticeable|there|a|an',
  'without a? doubt|question|fail',
  "can't|cannot wait",
  'or not',
  'if not',
  "doesn't|don't matter|worry|hurt",
  'do|does not matter|worry|hurt',
  "don't|doesn't have to",
  'do|does not have to',
  'no need to',
  'nothing but',
  'regardless of',
  "won't|doesn't|don't|didn't|never|without|not irritate|irritating|aggravate|aggravating|harm|harming|damage|damaging|sting|stinging|clog|clogging|inflame|inflaming|cause|causing",
  'with no|little|minimal risk',
]

/**
 * Where one clause ends and an independent one begins, so a cue's reach stops and the words after
 * it are read on their own: contrast ("not for sensitive skin, but great for oily skin") and ";".
 */
export const CLAUSE_BREAKS: readonly string[] = [
  ';',
  'but',
  'however',
  'although',
  'though',
  'whereas',
  'yet',
  'nevertheless',
  'nonetheless',
  ', while|whilst',
  // "good for oily skin, not for dry skin": the negated phrase is a clause of its own.
  ', not',
]

/**
 * Where a cue's scope ends inside its clause: what follows explains or continues it ("…, because
 * darker skin can scar"), so terms there are neither in the cue's scope nor free of it (flagged).
 */
export const SCOPE_BREAKS: readonly string[] = [
  'because',
  'since',
  'so',
  'which',
  'instead',
  'otherwise',
  'then',
  'meanwhile',
  ', as',
]

/** Joiners of lists and clauses: before a clause starter they end the list; right before a cue they start its clause. */
export const CONJUNCTIONS: readonly string[] = [',', 'and', 'or', 'nor', 'then', 'plus']

/** After "," "and" "or", these start a new clause rather than continue a list. */
export const CLAUSE_STARTERS: readonly string[] = [
  'you',
  'it',
  'they',
  'we',
  'this',
  'these',
  'he',
  'she',
  'i',
  'is',
  'are',
  'was',
  'were',
  'can',
  'will',
  'may',
  'might',
  'should',
  'must',
  'use',
  'apply',
  'read',
  'try',
  'book',
  'keep',
  'wear',
  'see',
  'follow',
  'let',
  'make',
  'expect',
  'enjoy',
  'go',
  'resume',
  'return',
  'protect',
  'moisturise',
  'moisturize',
  'cleanse',
]

/** Words that do not count towards the distance between a cue and a term (or between list items). */
export const GAP_WORDS: readonly string[] = [
  'a',
  'an',
  'the',
  'your',
  'you',
  "you're",
  "you've",
  'their',
  'those',
  'them',
  'people',
  'person',
  'anyone',
  'someone',
  'everyone',
  'patients',
  'clients',
  'individuals',
  'who',
  'that',
  'with',
  'have',
  'has',
  'had',
  'having',
  'are',
  'is',
  'be',
  'been',
  'being',
  'if',
  'when',
  'while',
  'during',
  'in',
  'on',
  'for',
  'of',
  'to',
  'or',
  'and',
  'nor',
  'any',
  'very',
  'extremely',
  'highly',
  'especially',
  'particularly',
  'really',
  'already',
  'currently',
  'recently',
  'using',
  'use',
  'taking',
  'take',
]

/** A hyphenated suffix that names a term as absent: "retinol-free aftercare" does not recommend retinol. */
export const ABSENCE_SUFFIXES: readonly string[] = ['free']

/** Words that bound an adjunct's avoidance in time: "avoid retinol for 3 days" is a pause (caution). */
export const TIME_BOUND: readonly string[] = [
  'until',
  'till',
  'day',
  'days',
  'week',
  'weeks',
  'hour',
  'hours',
  'before',
  'after',
  'afterwards',
  'beforehand',
  'around',
  'healed',
  'first',
  'temporarily',
]

/** A cue whose object names another treatment ("not ideal for harsher treatments") is about that one. */
export const OTHER_TREATMENTS: readonly string[] = [
  'harsher|stronger|harder|rougher|aggressive|intensive|invasive|ablative|other treatment|treatments|procedure|procedures|therapy|therapies|option|options',
]

/** How far a cue reaches: content words to its first term, then between coordinated terms. */
export const REACH = {first: 5, next: 3} as const
