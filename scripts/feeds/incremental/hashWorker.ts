/**
 * The hashing thread of an incremental export (hasher.ts): SHA-256 of the pieces it is sent,
 * reading file ranges through the descriptors the main thread holds open (one process, one
 * descriptor table). Loads nothing of the exporter but pieces.ts, so it is ready long before the
 * app bundle is.
 */
import {parentPort} from 'node:worker_threads'
import {sha256OfPieces, type Piece} from '../pieces.ts'

parentPort!.on('message', (pieces: Piece[]) => {
  try {
    parentPort!.postMessage({sha256: sha256OfPieces(pieces)})
  } catch (e) {
    parentPort!.postMessage({error: (e as Error).message})
  }
})
