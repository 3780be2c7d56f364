import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GITHUB_TOKEN,
  KEY,
  expectNoLeakNoForgery,
  forgedLines,
  leaks,
  runHostile,
  visible
} from '../helpers/hostile.js'
import { json, startHostileServer, text, uEscape, type Handler } from '../helpers/hostile-server.js'
import type { ActionRun } from '../../tools/runner/run-action.js'

/**
 * Property: whatever text the server puts in any field that reaches the log, the summary, the outputs or
 * the commit status, the action forges no workflow command and shows no key. The strings come from a
 * seeded PRNG (HOSTILE_SEED to replay a failure), so a failing run names the seed and the string.
 */

const SEED = Number(process.env.HOSTILE_SEED ?? 20240611)
const RUNS = 16

/** mulberry32: small, seedable, good enough to pick pieces. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Placeholders replaced in the JSON text the server sends: the key raw, and the key `\u`-escaped. */
const RAW_KEY = '\uE000'
const ESCAPED_KEY = '\uE001'
const RAW_TOKEN = '\uE002'

const BREAKS = ['\n', '\r', '\r\n', '\u0085', '\u2028', '\u2029', '\u000b', '\u000c']
const COMMANDS = [
  '::error::forged',
  '::add-mask::x',
  '::set-output name=x::y',
  '::stop-commands::tok',
  '::warning file=a::w',
  '::notice::n',
  '::debug::d',
  '##[error]legacy',
  '::group::g'
]
const NOISE = [
  '&#10;',
  '&lt;b&gt;',
  '&#58;&#58;error&#58;&#58;x',
  '%0A',
  '%0D%0A::error::pct',
  '%25',
  '\u202E',
  '\u2066',
  '\u200F',
  '\u200B',
  '<img src=x>',
  '[a](https://evil.test)',
  'plain words',
  ' ',
  // Long enough to push a secret across the length a log line, status or summary cell is cut to.
  'x'.repeat(97),
  RAW_KEY,
  ESCAPED_KEY,
  RAW_TOKEN
]

/** A hostile string: random pieces, always at least one line break followed by a command. */
function hostileString(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const pieces = Array.from({ length: 4 + Math.floor(random() * 8) }, () =>
    pick([...BREAKS, ...COMMANDS, ...NOISE, ...NOISE])
  )
  pieces.splice(Math.floor(random() * pieces.length), 0, pick(BREAKS) + pick(['', '\u202E', ' ']) + pick(COMMANDS))
  if (random() < 0.6) pieces.push(pick([RAW_KEY, ESCAPED_KEY, RAW_TOKEN]))
  return pieces.join('')
}

/** JSON text with the secret placeholders filled in. */
const render = (value: unknown): string =>
  JSON.stringify(value)
    .split(RAW_KEY)
    .join(JSON.stringify(KEY).slice(1, -1))
    .split(ESCAPED_KEY)
    .join(uEscape(KEY))
    .split(RAW_TOKEN)
    .join(GITHUB_TOKEN)
const answer = (value: unknown, status = 200, headers: Record<string, string> = {}): Handler =>
  json(render(value), status, headers)

const random = prng(SEED)
const strings = Array.from({ length: RUNS }, () => hostileString(random))
const samples = strings.map((s, i) => ({
  i,
  where: i % 2 ? 'result files' : 'batch fields',
  label: visible(
    s
      .split(RAW_KEY)
      .join('{key}')
      .split(ESCAPED_KEY)
      .join('{u-escaped key}')
      .split(RAW_TOKEN)
      .join('{github token}')
      .replace(/x{97}/g, '{97 x}')
  )
}))

describe(`hostile strings in every server field (seed ${SEED})`, () => {
  it.concurrent.each(samples)(
    '#$i in $where: $label',
    async ({ i }) => {
      const s = strings[i]!
      const api = await startHostileServer()
      const gh = await startHostileServer()
      const dir = mkdtempSync(join(tmpdir(), 'hostile-prop-'))
      const id = `batch-p${i}`
      try {
        gh.route('POST', /^\/repos\/o\/r\/statuses\//, answer({ message: s }, i % 4 === 1 ? 422 : 201))
        if (i % 2 === 0) {
          // The batch's own fields, and the error bodies of the status checks and file requests.
          const fields = { id, model_id: s, endpoint: s, created_at: s }
          api.route(
            'GET',
            `/v1/batches/${id}`,
            answer({ error: { message: s } }, 503),
            answer({ ...fields, status: s, progress: 10 }),
            answer({ ...fields, status: 'FAILED', error: s, output_file_id: s, error_file_id: s, progress: 50 })
          )
          api.route('GET', /^\/v1\/files\//, answer({ error: { message: s } }, 400))
        } else {
          // Result files whose error messages and codes reach the summary and the failure message.
          const output = [
            { custom_id: 'a', response: { status_code: 200, body: {} } },
            { custom_id: 'b', response: { status_code: 500, body: { error: { message: s, code: 'e500' } } } },
            { custom_id: 'c', error: { message: s, code: s } }
          ]
          const content = output.map(render).join('\n') + '\n'
          const errors = render({ custom_id: 'd', error: { message: s, code: 'auth' } }) + '\n'
          api.route(
            'GET',
            `/v1/batches/${id}`,
            answer({ message: s }, 429, { 'retry-after': '1' }),
            answer({
              id,
              status: 'COMPLETED',
              progress: 100,
              output_file_id: 'file-out',
              error_file_id: 'file-err',
              model_id: s
            })
          )
          api.route('GET', '/v1/files/file-out', json({ id: 'file-out', bytes: Buffer.byteLength(content) }))
          api.route('GET', '/v1/files/file-out/content', text(content, 200, 'application/octet-stream'))
          api.route('GET', '/v1/files/file-err', json({ id: 'file-err', bytes: Buffer.byteLength(errors) }))
          api.route('GET', '/v1/files/file-err/content', text(errors, 200, 'application/octet-stream'))
        }
        const run = await runHostile({
          api,
          github: gh,
          killAfterMs: 20_000,
          inputs: { 'batch-id': id, 'download-dir': dir, 'max-failed-requests': '0', timeout: '15s' }
        })
        expect({ exitCode: run.exitCode, log: run.exitCode === 1 ? '' : run.log.slice(-2000) }).toEqual({
          exitCode: 1,
          log: ''
        })
        expectNoLeakNoForgery(run, [KEY, GITHUB_TOKEN])
        expect(run.log).not.toMatch(/^ {4}at /m)
      } finally {
        await api.close()
        await gh.close()
        rmSync(dir, { recursive: true, force: true })
      }
    },
    30_000
  )
})

describe('the detectors themselves', () => {
  const run = (log: string, more: Partial<ActionRun> = {}): ActionRun => ({
    exitCode: 0,
    signal: null,
    log,
    outputs: {},
    summary: '',
    durationMs: 0,
    signalsSent: [],
    ...more
  })

  it('allow what the action means to send', () => {
    const log = [
      `::add-mask::${KEY}`,
      '::debug::d',
      '::warning::w',
      '::error title=Together batch b::e%0A::error::escaped',
      '::notice::n',
      '::group::g',
      '::endgroup::',
      'text ::error::inline is not a command',
      'ok\r'
    ].join('\n')
    expect(forgedLines(log, [KEY])).toEqual([])
    expect(leaks(run(log), [KEY])).toEqual([])
  })

  it('catch commands after any line break, behind bidi controls, and foreign masks', () => {
    const forged = [
      '::add-mask::x',
      '::set-output name=x::y',
      '::stop-commands::t',
      '##[error]legacy',
      '\u202E::error::hidden',
      'Downloaded a\u2028::error::forged',
      '::warning::w\u0085::stop-commands::t',
      'x\r::add-mask::y'
    ]
    expect(forgedLines(forged.join('\n'), [KEY])).toEqual(forged)
  })

  it('find what is left of a key cut before it was redacted', () => {
    const found = leaks(run(`a ${KEY.slice(0, 9)}…`, { summary: `${KEY.slice(0, 7)}…`, outputs: {} }), [KEY])
    expect(found).toEqual(['log: cut'])
  })

  it('find the key raw, URL-encoded, \\u-escaped and entity-encoded', () => {
    const entities = Array.from(KEY)
      .map(ch => `&#${ch.charCodeAt(0)};`)
      .join('')
    const found = leaks(
      run(`a ${encodeURIComponent(KEY)}`, { summary: entities, outputs: { error: uEscape(KEY), batch: KEY } }),
      [KEY]
    )
    expect(found).toEqual([
      'log: url-encoded',
      'summary (entities decoded): raw',
      'output error: \\u-escaped',
      'output batch: raw'
    ])
  })
})
