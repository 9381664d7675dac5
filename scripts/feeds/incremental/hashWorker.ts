/**
 * The hashing thread of an incremental export (hasher.ts, messages in hashProtocol.ts): SHA-256
 * of the pieces it is sent, reading file ranges through the descriptors the main thread holds
 * open (one process, one descriptor table). Loads nothing of the exporter but pieces.ts, so it is
 * ready long before the app bundle is.
 */
import {parentPort} from 'node:worker_threads'
import {sha256OfPieces} from '../pieces.ts'
import type {HashRequest, HashResponse} from './hashProtocol.ts'

const port = parentPort!

port.on('message', (msg: HashRequest) => {
  switch (msg.type) {
    case 'hash':
      try {
        const sha256 = sha256OfPieces(msg.pieces)
        port.postMessage({type: 'sha256', sha256} satisfies HashResponse)
      } catch (e) {
        port.postMessage({type: 'error', message: (e as Error).message} satisfies HashResponse)
      }
      break
    default:
      // A compile error when a request type is added to hashProtocol.ts but not handled here.
      msg.type satisfies never
  }
})
