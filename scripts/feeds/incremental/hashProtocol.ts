/**
 * The messages between the incremental export's hasher (hasher.ts) and its hashing thread
 * (hashWorker.ts). Both sides import these types, so a message one side sends is one the other
 * handles. One hash at a time: a response answers the one request in flight.
 */
import type {Piece} from '../pieces.ts'

/** Main thread → hashing thread: file ranges are read through the main thread's descriptors. */
export type HashRequest = {type: 'hash'; pieces: readonly Piece[]}

/** Hashing thread → main thread. */
export type HashResponse = {type: 'sha256'; sha256: string} | {type: 'error'; message: string}
