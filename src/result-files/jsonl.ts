import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'

/** A line longer than this is not read into memory: it is counted as unreadable, by its length. */
const MAX_LINE_BYTES = 64 * 1024 * 1024

/** A line past `MAX_LINE_BYTES`: its length, never its text. */
export interface LongLine {
  bytes: number
}

/** With `checkUtf8`: a line that is not valid UTF-8, by its length (decoding it would only be a guess). */
export interface NotUtf8Line {
  bytes: number
  notUtf8: true
}

export interface JsonLinesOptions {
  signal?: AbortSignal
  maxLineBytes?: number
  /** Sees every chunk of the file as read, before it is split (to hash the bytes in the same pass). */
  onChunk?: (chunk: Buffer) => void
  /** Gives a line that is not valid UTF-8 as a `NotUtf8Line` instead of decoding it with U+FFFD. */
  checkUtf8?: boolean
}

const LF = 0x0a
const CR = 0x0d

/**
 * The lines of a JSONL file, in constant memory. Lines end at LF alone (a CR before it is dropped):
 * JSON allows U+2028 and U+2029 raw inside a string, and a CR between tokens, so a line holding them
 * must not be split, as `readline` would split it. UTF-8 is decoded per line: LF never occurs inside a
 * multi-byte character. A line longer than `maxLineBytes` comes as a `LongLine` (and, with `checkUtf8`,
 * one that is not UTF-8 as a `NotUtf8Line`). Stops when `signal` aborts.
 */
export async function* jsonLines(
  path: string,
  options: JsonLinesOptions = {}
): AsyncGenerator<string | LongLine | NotUtf8Line> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES
  let parts: Buffer[] = []
  let bytes = 0
  // One byte more than the limit is kept: the CR of a CRLF, which is not part of the line. Past that,
  // `parts` is empty.
  const line = (): string | LongLine | NotUtf8Line => {
    const last = parts.at(-1)
    const cr = last !== undefined && last[last.length - 1] === CR ? 1 : 0
    if (bytes - cr > max) return { bytes }
    const raw = Buffer.concat(parts, bytes).subarray(0, bytes - cr)
    return options.checkUtf8 && !isUtf8(raw) ? { bytes, notUtf8: true } : raw.toString('utf8')
  }
  for await (const chunk of createReadStream(path, { signal: options.signal })) {
    const data = chunk as Buffer
    options.onChunk?.(data)
    // Splits at each LF; the piece after the last one (empty when the chunk ends with LF) starts the next line.
    for (let start = 0; ;) {
      const end = data.indexOf(LF, start)
      const piece = data.subarray(start, end === -1 ? data.length : end)
      bytes += piece.length
      // Past the limit only the length is kept.
      // Stryker disable next-line ConditionalExpression: `false` only keeps memory: such a line comes as its length either way (`true` fails the jsonl tests)
      if (bytes > max + 1) parts = []
      else if (piece.length > 0) parts.push(piece)
      if (end === -1) break
      yield line()
      parts = []
      bytes = 0
      start = end + 1
    }
  }
  if (bytes > 0) yield line()
}
