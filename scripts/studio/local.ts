/** Identity of the embedded dataset as the Studio and @sanity/client see it through the local API. */
export const LOCAL_PROJECT_ID = 'local'
export const LOCAL_DATASET = 'production'
