const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

type State =
  /** Before the first byte that is not whitespace. */
  | 'start'
  /** The body is not an array: kept whole for the caller to parse (`null`, an object, a page). */
  | 'other'
  /** After `[`: an element or `]`. */
  | 'first'
  /** After `,`: an element. */
  | 'next'
  | 'element'
  /** After an element: `,` or `]`. */
  | 'after'
  /** After the closing `]`: whitespace only. */
  | 'end'

/**
 * Splits a JSON array that arrives in chunks of bytes into the bytes of its elements, so that only
 * one element at a time is held and decoded, however long the array. It only finds the boundaries
 * (strings, escapes, nesting): each element is still parsed by `JSON.parse`, which refuses anything
 * that is not JSON, and between elements it allows only whitespace, `,` and the closing `]`. A chunk
 * may end anywhere, even inside a character: UTF-8 never uses the bytes looked at here (brackets,
 * braces, quote, backslash, comma, whitespace) inside a multi-byte character. Throws a SyntaxError on
 * a body that is not a well-formed array; a body that is some other JSON value (or no JSON at all)
 * is kept whole and handed back by `end()`, for the caller to tell `null` from a page.
 */
export class JsonArraySplitter {
  private state: State = 'start'
  /** The current element so far (slices of the chunks it spans), or the whole body when it is no array. */
  private parts: Buffer[] = []
  private depth = 0
  private inString = false
  private escaped = false
  /** The current element is a number, `true`, `false` or `null`: it ends at whitespace, `,` or `]`. */
  private scalar = false

  constructor(private readonly onElement: (bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    let i = 0
    while (i < chunk.length) {
      if (this.state === 'other') {
        this.parts.push(chunk.subarray(i))
        return
      }
      if (this.state === 'element') i = this.scan(chunk, i)
      else if (isSpace(chunk[i]!)) i++
      else i = this.between(i, chunk[i]!)
    }
  }

  /** The body has ended: undefined after a complete array, else what came instead of one, as text (`null`, an object, a page). */
  end(): string | undefined {
    if (this.state === 'other' || this.state === 'start') return Buffer.concat(this.parts).toString('utf8')
    if (this.state !== 'end') throw new SyntaxError('the array is not closed')
    return undefined
  }

  /** A byte outside any element that is not whitespace; returns where to go on. */
  private between(i: number, byte: number): number {
    switch (this.state) {
      case 'start':
        this.state = byte === OPEN_ARRAY ? 'first' : 'other'
        return byte === OPEN_ARRAY ? i + 1 : i
      case 'first':
        if (byte !== CLOSE_ARRAY) return this.open(i, byte)
        this.state = 'end'
        return i + 1
      case 'next':
        if (byte === CLOSE_ARRAY) throw new SyntaxError('a comma before the closing bracket')
        return this.open(i, byte)
      case 'after':
        if (byte !== COMMA && byte !== CLOSE_ARRAY) throw new SyntaxError('elements not separated by a comma')
        this.state = byte === COMMA ? 'next' : 'end'
        return i + 1
      default:
        throw new SyntaxError('data after the end of the array')
    }
  }

  /** An element starts at `i` with `byte`; its first byte is read by `scan` like the rest. */
  private open(i: number, byte: number): number {
    this.state = 'element'
    this.depth = 0
    this.inString = false
    this.escaped = false
    this.scalar = byte !== OPEN_ARRAY && byte !== OPEN_OBJECT && byte !== QUOTE
    return i
  }

  /** Reads the current element from `start` on; returns where it ended, or the chunk's end. */
  private scan(chunk: Buffer, start: number): number {
    // Inside a string only a quote or a backslash matters: jump to the next one (the next backslash is
    // looked up again only once passed, so a chunk is searched once whatever its strings).
    let slash = -2
    for (let i = start; i < chunk.length; i++) {
      if (this.inString && !this.escaped) {
        if (slash !== -1 && slash < i) slash = chunk.indexOf(BACKSLASH, i)
        const quote = chunk.indexOf(QUOTE, i)
        const next = quote === -1 ? slash : slash === -1 ? quote : Math.min(quote, slash)
        if (next === -1) break
        i = next
      }
      const byte = chunk[i]!
      if (this.scalar) {
        if (isSpace(byte) || byte === COMMA || byte === CLOSE_ARRAY) return this.emit(chunk, start, i)
      } else if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (byte === BACKSLASH) this.escaped = true
        else {
          this.inString = false
          if (this.depth === 0) return this.emit(chunk, start, i + 1)
        }
      } else if (byte === QUOTE) this.inString = true
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) this.depth++
      else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && --this.depth <= 0) {
        return this.emit(chunk, start, i + 1)
      }
    }
    this.parts.push(chunk.subarray(start))
    return chunk.length
  }

  /** Hands over the element that ends at `end` of `chunk`; returns `end`. */
  private emit(chunk: Buffer, start: number, end: number): number {
    this.parts.push(chunk.subarray(start, end))
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts)
    this.parts = []
    this.state = 'after'
    this.onElement(bytes)
    return end
  }
}
