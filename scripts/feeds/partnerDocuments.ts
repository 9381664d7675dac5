/** The published `partner` documents an export reads, from the same dataset or query source as its pages. */
import type {Partner} from '../../sanity.types.ts'
import {createLocalSource} from '../query/local.ts'
import {PARTNERS_QUERY} from '../query/queries.ts'
import {runQuery, type QuerySource} from '../query/source.ts'
import {Dataset} from '../store/dataset.ts'

/** A dataset file is read for its partner documents only (drafts and versions dropped by the perspective). */
export async function readPartnerDocuments(input: Dataset | QuerySource): Promise<Partner[]> {
  const source =
    input instanceof Dataset ? createLocalSource(input.documents({types: ['partner']})) : input
  return (await runQuery<Partner[]>(source, PARTNERS_QUERY, {}, {perspective: 'published'})) ?? []
}
