/**
 * The importer's public API. `npm start` and other stages import from here (not from cli.ts,
 * which runs the command line when imported).
 */
export {
  importChecked,
  importSource,
  importSources,
  readSources,
  sourceFiles,
  effectiveTaxonomy,
} from './importer.ts'
export type {CheckedSources, ImportOptions, ImportTarget} from './importer.ts'
export {formatReport} from './report.ts'
export type {ImportReport} from './report.ts'
export {loadTaxonomy} from './taxonomyFiles.ts'
export {parseTaxonomy, TAXONOMY_TYPES, taxonomyId} from './taxonomy.ts'
export type {TaxonomyDoc, TaxonomyType} from './taxonomy.ts'
export {prepareSource} from './prepare.ts'
export {compose} from './documents.ts'
export type {ArticleDoc, BenefitDoc, Composition, LinkEntry, UnlinkedEntry} from './documents.ts'
export type {ImportWarning} from './types.ts'
