import type {AbuseRow} from './types.ts'

export const rows: AbuseRow[] = []
