/**
 * One file's response: validators, 304, HEAD, and the body from the same fd the ETag was computed
 * from. Small files are read whole (one pread) and sent as a buffer; larger ones stream from the
 * fd, which stays readable after a publish replaced the tree, so the download completes.
 *
 * The coding (br, gzip or none) is chosen here, before the body exists, because the ETag names it;
 * the request's Accept-Encoding is then narrowed to that one coding so @fastify/compress, which
 * does the compressing, makes the same choice.
 */
import {closeSync, createReadStream} from 'node:fs'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {digestOf, digestOfFd, readWhole, type DigestCache} from './digests.ts'
import type {OutputFolder} from './files.ts'
import {
  etagOf,
  isCompressible,
  isNotModified,
  MIN_COMPRESS_BYTES,
  negotiateCoding,
} from './representation.ts'
import {cacheControlOf, mediaTypeOf} from './rules.ts'

/** Files up to this size are read into memory and sent as one buffer. */
export const BUFFER_LIMIT = 256 * 1024

export interface FileSource {
  folder: OutputFolder
  digests: DigestCache
}

/** Answer `path` (checked, access granted): 200, 304, or 404 when there is no such file. */
export async function sendFile(
  source: FileSource,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): Promise<FastifyReply> {
  const file = await source.folder.open(path)
  if (!file) return reply.code(404).send()
  const {fd, stat} = file
  let streaming = false
  try {
    let body: Buffer | undefined
    let digest = source.digests.get(stat)
    if (!digest) {
      if (stat.size <= BUFFER_LIMIT) body = readWhole(fd, stat.size)
      digest = body ? digestOf(body) : await digestOfFd(fd)
      source.digests.set(stat, digest)
    }
    const mediaType = mediaTypeOf(path)
    const varies =
      isCompressible(mediaType) && stat.size >= MIN_COMPRESS_BYTES && !digest.looksCompressed
    const coding = varies ? negotiateCoding(request.headers['accept-encoding']) : undefined
    reply.header('etag', etagOf(digest.sha256, coding))
    reply.header('last-modified', new Date(stat.mtimeMs).toUTCString())
    reply.header('cache-control', cacheControlOf(path))
    // Lower case: @fastify/compress adds its own `accept-encoding` unless it finds this spelling.
    if (varies) reply.header('vary', 'accept-encoding')
    if (isNotModified(request.headers, digest.sha256, stat.mtimeMs)) return reply.code(304).send()

    reply.header('content-type', mediaType)
    reply.header('x-content-type-options', 'nosniff')
    if (request.method === 'HEAD') {
      // A compressed length is known only by compressing, so a compressed HEAD goes without one.
      if (coding) reply.header('content-encoding', coding)
      else reply.header('content-length', stat.size)
      return reply.send()
    }
    request.headers['accept-encoding'] = coding ?? 'identity'
    if (body === undefined && stat.size <= BUFFER_LIMIT) body = readWhole(fd, stat.size)
    if (body) return reply.send(body)
    reply.header('content-length', stat.size)
    const stream = createReadStream(file.realPath, {fd, start: 0, autoClose: true})
    streaming = true
    return reply.send(stream)
  } finally {
    if (!streaming) closeSync(fd)
  }
}
