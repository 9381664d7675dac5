/** Desk structure: content first, then the taxonomy it links to, then people. */
import type {StructureResolver} from 'sanity/structure'

export const structure: StructureResolver = (S) =>
  S.list()
    .title('Content')
    .items([
      S.documentTypeListItem('article').title('Articles'),
      S.documentTypeListItem('benefit').title('Benefits'),
      S.divider(),
      S.listItem()
        .title('Taxonomy')
        .child(
          S.list()
            .title('Taxonomy')
            .items([
              S.documentTypeListItem('treatment').title('Treatments'),
              S.documentTypeListItem('concern').title('Skin concerns'),
              S.documentTypeListItem('skinType').title('Skin types'),
              S.documentTypeListItem('serum').title('Adjuncts'),
            ]),
        ),
      S.divider(),
      S.documentTypeListItem('person').title('Reviewers'),
    ])
