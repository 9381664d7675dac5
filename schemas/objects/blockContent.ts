/** Rich text used for article intros and benefit bodies: paragraphs, subheadings, lists and safe links. */
import {defineArrayMember, defineField, defineType} from 'sanity'
import {isSafeUrl} from '../rules/urls.ts'

export const blockContent = defineType({
  name: 'blockContent',
  title: 'Rich text',
  type: 'array',
  of: [
    defineArrayMember({
      type: 'block',
      styles: [
        {title: 'Normal', value: 'normal'},
        {title: 'Heading 2', value: 'h2'},
        {title: 'Heading 3', value: 'h3'},
        {title: 'Quote', value: 'blockquote'},
      ],
      lists: [
        {title: 'Bullet', value: 'bullet'},
        {title: 'Numbered', value: 'number'},
      ],
      marks: {
        decorators: [
          {title: 'Strong', value: 'strong'},
          {title: 'Emphasis', value: 'em'},
        ],
        annotations: [
          defineField({
            name: 'link',
            type: 'object',
            title: 'Link',
            fields: [
              defineField({
                name: 'href',
                type: 'url',
                title: 'URL',
                description: 'http(s) or mailto links only; script URLs are refused.',
                validation: (rule) =>
                  rule
                    .required()
                    .uri({scheme: ['http', 'https', 'mailto'], allowRelative: true})
                    .custom((href) =>
                      href === undefined || isSafeUrl(href)
                        ? true
                        : 'Link must use http, https or mailto',
                    ),
              }),
            ],
          }),
        ],
      },
    }),
  ],
})
