import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { errorMessage, printable } from '../util/text.js'
import { TogetherError } from './errors.js'

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress
}

/**
 * Decoders for a `Content-Encoding` (listed in the order applied, so undone last to first). Sent
 * `accept-encoding: identity`, a server should not encode; one that does anyway still leaves plain
 * JSONL on disk. An encoding the client does not know is an error no retry fixes.
 */
function decodersFor(contentEncoding: string | undefined, what: string): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map(coding => coding.trim().toLowerCase())
    .filter(coding => coding !== '' && coding !== 'identity')
  const unknown = codings.find(coding => !(coding in DECODERS))
  if (unknown !== undefined || codings.length > 2) {
    throw new TogetherError(
      `${what} answered with Content-Encoding "${printable(contentEncoding ?? '', 40)}", which the client cannot decode`,
      { kind: 'unsupported-response' }
    )
  }
  return codings.reverse().map(coding => DECODERS[coding]!())
}

/**
 * Counts what passes; past the size announced (or, with none, past `maxBytes`) it fails at once rather
 * than filling the disk.
 */
function counter(what: string, expectedBytes: number | undefined, maxBytes: number): Transform & { bytes: number } {
  const limit = expectedBytes ?? maxBytes
  // More than announced may be a glitch worth a retry; past the bound for an unsized file, a retry
  // would only download it again.
  const tooMuch = (): TogetherError =>
    expectedBytes === undefined
      ? new TogetherError(
          `${what} delivered more than ${maxBytes} bytes, the most the action downloads of a file whose size Together does not give`,
          { kind: 'unsupported-response' }
        )
      : new TogetherError(`${what} delivered more than the ${expectedBytes} bytes expected`, {
          kind: 'invalid-response'
        })
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      stream.bytes += chunk.length
      if (stream.bytes > limit) callback(tooMuch())
      else callback(null, chunk)
    }
  }) as Transform & { bytes: number }
  stream.bytes = 0
  return stream
}

/** A failure of the disk, not of the network: no retry helps, and the message names the path. */
function saveError(what: string, path: string, error: unknown): TogetherError {
  return new TogetherError(`${what} could not be saved to ${path}: ${errorMessage(error)}`, {
    kind: 'local',
    cause: error
  })
}

/** Resolves once `stream` has closed its file, so removing the file cannot race with its creation. */
function closed(stream: Writable): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise(resolve => stream.once('close', () => resolve()))
}

export interface SaveRequest {
  body: Readable
  contentEncoding?: string
  path: string
  what: string
  expectedBytes?: number
  /** Without `expectedBytes`: more than this many bytes fails the save. */
  maxBytes: number
  /** Called for each chunk as it arrives, before decoding (to push back a stall bound). */
  onData: () => void
}

/**
 * Writes `body`, decoded, to `<path>.part`, checks its size, then renames it to `path`, so `path` only
 * ever holds a complete file and the `.part` file never outlives a failure. Errors of the file side are
 * `local` TogetherErrors; the decoder's are `invalid-response`; the body's are rethrown as they are,
 * for the transport to map.
 */
export async function save(request: SaveRequest): Promise<number> {
  const { what, path, expectedBytes } = request
  const decoders = decodersFor(request.contentEncoding, what)
  const partial = `${path}.part`
  const count = counter(what, expectedBytes, request.maxBytes)
  const activity = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      request.onData()
      callback(null, chunk)
    }
  })
  const file = createWriteStream(partial)
  // pipeline passes the first error on to every stream: the first stream to report one is where it began.
  let origin: 'body' | 'decoder' | 'counter' | 'file' | undefined
  const note = (where: typeof origin) => () => {
    origin ??= where
  }
  request.body.on('error', note('body'))
  activity.on('error', note('body'))
  decoders.forEach(decoder => decoder.on('error', note('decoder')))
  count.on('error', note('counter'))
  file.on('error', note('file'))
  try {
    await pipeline([request.body, activity, ...decoders, count, file])
    if (expectedBytes !== undefined && count.bytes !== expectedBytes) {
      throw new TogetherError(`${what} delivered ${count.bytes} bytes, expected ${expectedBytes}`, {
        kind: 'invalid-response'
      })
    }
    await rename(partial, path).catch((error: unknown) => Promise.reject(saveError(what, path, error)))
    return count.bytes
  } catch (error) {
    await closed(file)
    // Best effort: a `.part` that is a directory we did not create is left alone, the first error told.
    await rm(partial, { force: true }).catch(() => undefined)
    if (origin === 'file') throw saveError(what, partial, error)
    if (origin === 'decoder' && !(error instanceof TogetherError)) {
      throw new TogetherError(`${what} could not be decoded: ${errorMessage(error)}`, {
        kind: 'invalid-response',
        cause: error
      })
    }
    throw error
  }
}
