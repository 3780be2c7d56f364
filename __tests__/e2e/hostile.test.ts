import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GITHUB_TOKEN,
  KEY,
  errorLines,
  expectNoLeakNoForgery,
  runHostile,
  warningLines,
  type HostileRun
} from '../helpers/hostile.js'
import {
  batch,
  delayed,
  endless,
  gzip,
  HUNG_UP_BELOW,
  hang,
  json,
  redirect,
  startHostileServer,
  text,
  trickle,
  uEscape,
  type HostileServer,
  type Sent
} from '../helpers/hostile-server.js'

/**
 * The attacker's suite: the committed bundle against a server that sends what no polite API does.
 * Each case states the exit code, the outputs that matter and a time bound; every case also checks that
 * no secret leaks and no workflow command is forged (expectNoLeakNoForgery), that there is no stack
 * trace or runtime warning, and that a run that exits 0 has reached a verdict (status and summary).
 */

interface Ctx {
  api: HostileServer
  /** The GitHub REST stand-in (commit statuses). */
  gh: HostileServer
  /** A directory of the test's own, for download-dir. */
  dir: string
  /** Epoch ms just before the action was started. */
  t0: number
  /** Anything a case's setup wants to keep for its check. */
  extra: Record<string, unknown>
}

interface Case {
  name: string
  /** The class of the issue this case covers (1–14), or 15: result files. */
  class: number
  setup?(ctx: Ctx): unknown
  inputs?(ctx: Ctx): Record<string, string>
  env?(ctx: Ctx): Record<string, string>
  /** Run with `commit-status` and the GitHub stand-in. */
  github?: boolean
  cancelAfterMs?: number
  exitCode: number
  outputs?: Record<string, string>
  /** Upper bound on the whole run, ms (generous for a loaded 2-core machine, tight enough for the bug). */
  maxMs: number
  /** Bounds on the requests the Together stand-in saw. */
  requests?: [number, number]
  /** More secrets than the API key and the GitHub token. */
  secrets?: string[]
  check?(run: HostileRun, ctx: Ctx): void | Promise<void>
}

const ID = 'batch-h1'
/** A pull request's head commit, from the event payload. */
const HEAD = 'c'.repeat(40)
const COMPLETED = { status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }
const IN_PROGRESS = { status: 'IN_PROGRESS', progress: 10 }
const FORGED = ['::error::forged', '::add-mask::x', '::set-output name=x::y', '::stop-commands::tok']
const BREAKS = ['\n', '\r', '\u0085', '\u2028', '\u2029', '\r\n']
/** Every break before every command, with bidi controls in front of some. */
const INJECTED = BREAKS.map((br, i) => `${br}${i % 2 ? '\u202E' : '\u2066'}${FORGED[i % FORGED.length]!}`).join(' ')

/** One result line: 200 succeeds, anything else fails with `message`. */
const resultLine = (i: number, status: number, message = 'upstream failed'): string =>
  JSON.stringify({
    custom_id: `r${i}`,
    response: { status_code: status, body: status === 200 ? { choices: [] } : { error: { message, code: 'e500' } } }
  })
const JSONL = [resultLine(1, 200), resultLine(2, 200), resultLine(3, 500)].join('\n') + '\n'

/** `/v1/batches/<id>` answers, and `file-out` served with `content` (or `contentHandler`). */
function serve(api: HostileServer, answers: Parameters<HostileServer['route']>[2][], content = JSONL): void {
  api.route('GET', `/v1/batches/${ID}`, ...answers)
  api.route('GET', '/v1/files/file-out', json({ id: 'file-out', bytes: Buffer.byteLength(content) }))
  api.route('GET', '/v1/files/file-out/content', text(content, 200, 'application/octet-stream'))
}

const errorsText = (run: HostileRun): string => errorLines(run.log).join('\n')
const fileRequests = (run: HostileRun): string[] => run.api.filter(r => r.path.startsWith('/v1/files')).map(r => r.path)
const proxyEnv = (url: string): Record<string, string> => ({ HTTP_PROXY: url, HTTPS_PROXY: url })

const cases: Case[] = [
  // 1. An api-key that cannot go in an HTTP header.
  ...[
    ['a typographic apostrophe', 'tgp_v1_it\u2019s-my-key-0123'],
    ['a zero-width space', 'tgp_v1_zero\u200Bwidth-0123']
  ].map(([what, key]: string[]): Case => ({
    name: `an api-key with ${what!} is refused before any request, naming api-key`,
    class: 1,
    setup: ({ api }) => serve(api, [batch(COMPLETED)]),
    inputs: () => ({ 'api-key': key! }),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    secrets: [key!],
    check: run => expect(errorsText(run)).toContain('api-key')
  })),

  // 2. Nothing without a bound: GitHub calls, downloads.
  {
    name: 'a GitHub statuses endpoint that never answers: the step still polls and passes with a warning',
    class: 2,
    github: true,
    setup: ({ api, gh }) => {
      serve(api, [batch(COMPLETED)])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, hang())
    },
    exitCode: 0,
    outputs: { status: 'COMPLETED', 'output-file-id': 'file-out' },
    maxMs: 15_000,
    requests: [1, 3],
    check: run => expect(warningLines(run.log).join('\n')).toMatch(/commit status/i)
  },
  {
    name: 'GitHub answers the pending status, then hangs on the final one: bounded, warning, exit 0',
    class: 2,
    github: true,
    setup: ({ api, gh }) => {
      serve(api, [batch(IN_PROGRESS), batch(COMPLETED)])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ id: 1, state: 'pending' }, 201), hang())
    },
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 17_000,
    requests: [2, 4],
    check: run => {
      expect(run.github.length).toBeGreaterThanOrEqual(2)
      expect(warningLines(run.log).join('\n')).toMatch(/commit status/i)
    }
  },
  {
    // One client, one breaker: before, status and comment each paid the 10 s call timeout (20 s, 2 calls).
    name: 'a GitHub that never answers, with commit-status and pr-comment on a pull request: one timeout for the whole run',
    class: 2,
    github: true,
    setup: ({ api, gh, dir }) => {
      serve(api, [batch(COMPLETED)])
      writeFileSync(join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 5, head: { sha: HEAD } } }))
      for (const method of ['GET', 'POST', 'PATCH']) gh.route(method, /^\//, hang())
    },
    inputs: () => ({ 'pr-comment': 'true' }),
    env: ({ dir }) => ({ GITHUB_EVENT_PATH: join(dir, 'event.json') }),
    exitCode: 0,
    outputs: { status: 'COMPLETED', passed: 'true' },
    maxMs: 17_000,
    check: run => {
      expect(run.github.map(r => `${r.method} ${r.path}`)).toEqual([`POST /repos/o/r/statuses/${HEAD}`])
      const skipped = 'skipped, GitHub did not answer a previous call within 10s'
      expect(warningLines(run.log)).toEqual([
        '::warning::Could not set the commit status: GitHub did not answer within 10s',
        `::warning::Could not set the commit status: ${skipped}`,
        `::warning::Could not comment on pull request #5: ${skipped}`
      ])
    }
  },
  {
    name: 'SIGINT during a hanging GitHub call exits within the grace period',
    class: 2,
    github: true,
    setup: ({ api, gh }) => {
      serve(api, [batch(IN_PROGRESS)])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, hang())
    },
    inputs: () => ({ timeout: '1m' }),
    cancelAfterMs: 2000,
    exitCode: 1,
    maxMs: 2000 + 7500,
    check: run => expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
  },
  {
    // Bound 30 s: `timeout: 10s` is the step's budget; allow it once for the wait and once more for the
    // download (a fix may give the download its own `timeout`-sized bound), plus 10 s for a loaded
    // runner. Today one attempt alone waits 30 s for headers, and five attempts are made.
    name: 'a content endpoint that never answers ends within 30 s at timeout 10s, outputs still set',
    class: 2,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', hang())
    },
    inputs: ({ dir }) => ({ timeout: '10s', 'download-dir': dir }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out', 'timed-out': 'false' },
    maxMs: 30_000
  },
  {
    // Same 30 s bound: a byte every 2 s never trips a per-chunk timeout, so only a stall/overall bound ends it.
    name: 'content that trickles a byte every 2 s is ended by an overall bound, not waited for forever',
    class: 2,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', trickle(JSONL, 2000))
    },
    inputs: ({ dir }) => ({ timeout: '10s', 'download-dir': dir }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out' },
    maxMs: 30_000,
    check: (run, { dir }) => {
      expect(run.outputs['output-path'] ?? '').toBe('')
      expect(readdirSync(dir)).toEqual([]) // no partial file left behind
    }
  },

  // 3. Outputs first.
  {
    name: 'a download-dir that cannot be created: FAILED outputs and summary still written, error names it',
    class: 3,
    setup: ({ api, dir, extra }) => {
      extra.blocked = join(dir, 'blocked')
      writeFileSync(extra.blocked as string, 'a file where the directory should be')
      serve(api, [batch({ status: 'FAILED', progress: 40, error: 'input invalid', output_file_id: 'file-out' })])
    },
    inputs: ({ extra }) => ({ 'download-dir': extra.blocked as string }),
    exitCode: 1,
    outputs: { status: 'FAILED', 'output-file-id': 'file-out', error: 'input invalid', progress: '40' },
    maxMs: 6000,
    check: (run, { extra }) => {
      expect(run.summary).toContain('FAILED')
      expect(errorsText(run)).toMatch(new RegExp(`download-dir|${extra.blocked as string}`))
    }
  },
  {
    name: 'SIGINT during a hanging download leaves status and output-file-id set',
    class: 3,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', hang())
    },
    inputs: ({ dir }) => ({ timeout: '1m', 'download-dir': dir }),
    cancelAfterMs: 2500,
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out' },
    maxMs: 2500 + 7500,
    check: run => expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
  },
  {
    name: 'a download refused with 403 leaves the outputs set',
    class: 3,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', json({ error: { message: 'forbidden' } }, 403))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out' },
    maxMs: 8000
  },

  // 4. Server text never forges a command.
  {
    name: 'line breaks, bidi controls and commands in every batch field of a FAILED batch',
    class: 4,
    setup: ({ api }) =>
      serve(api, [
        batch({ status: 'IN_PROGRESS', progress: 5, model_id: `m${INJECTED}`, endpoint: INJECTED }),
        batch({ status: 'FAILED', error: `boom${INJECTED}`, model_id: INJECTED, created_at: INJECTED })
      ]),
    exitCode: 1,
    outputs: { status: 'FAILED' },
    maxMs: 6000
  },
  {
    name: 'unknown statuses carrying line breaks and commands are warned about on one line',
    class: 4,
    setup: ({ api }) =>
      serve(api, [
        batch({ status: `RUNNING\u2028::error::forged`, progress: 5 }),
        batch({ status: `PAUSED\u0085::set-output name=x::y`, progress: 6 }),
        batch(COMPLETED)
      ]),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 8000
  },
  {
    name: 'an output file ID with a line break is rejected for its batch, never used in a URL, path or output',
    class: 4,
    setup: ({ api }) => serve(api, [batch({ ...COMPLETED, output_file_id: 'file-out\n::error::forged' })]),
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    maxMs: 8000,
    check: (run, { dir }) => {
      expect(fileRequests(run)).toEqual([])
      expect(readdirSync(dir)).toEqual([])
      for (const name of ['output-file-id', 'output-path', 'batches'])
        expect(run.outputs[name] ?? '').not.toContain('::error::forged')
      expect(errorsText(run)).toContain(ID)
      expect(errorsText(run)).toMatch(/invalid/i)
    }
  },
  {
    name: 'an error file ID with \\r and a bidi-hidden command is rejected, never requested',
    class: 4,
    setup: ({ api }) =>
      serve(api, [batch({ ...COMPLETED, error_file_id: 'file-err\r::set-output name=x::y\u202E::stop-commands::t' })]),
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    maxMs: 8000,
    check: run => {
      expect(fileRequests(run).filter(p => !p.startsWith('/v1/files/file-out'))).toEqual([])
      expect(run.outputs['error-file-id'] ?? '').not.toContain('::')
      expect(errorsText(run)).toContain(ID)
    }
  },
  {
    name: '5xx and 4xx error messages with line breaks and commands stay on one line',
    class: 4,
    setup: ({ api }) =>
      serve(api, [
        json({ error: { message: `busy${INJECTED}` } }, 503),
        json({ message: `slow down\u2029::add-mask::x\r::error::forged` }, 429, { 'retry-after': '1' }),
        json({ error: `gone${INJECTED}` }, 400)
      ]),
    exitCode: 1,
    maxMs: 10_000,
    requests: [3, 3]
  },

  {
    name: 'error answers that never end, the key in them: each read to 64 KiB, the status still decides',
    class: 4,
    setup: ({ api, extra }) => {
      const sent: Sent = { bytes: 0 }
      extra.sent = sent
      serve(api, [endless(503, `{"error":"busy ${KEY}${INJECTED}`, sent), endless(400, `{"error":"bad ${KEY}`, sent)])
    },
    exitCode: 1,
    outputs: { 'batch-id': ID, status: '', done: 'false', passed: 'false' },
    maxMs: 10_000,
    requests: [2, 2],
    check: (run, { extra }) => {
      expect(errorsText(run)).toContain('HTTP 400 with more than 64 KiB (the rest was not read)')
      expect((extra.sent as Sent).bytes).toBeLessThan(2 * HUNG_UP_BELOW)
    }
  },

  // 5. The key stays secret.
  {
    name: 'the key echoed raw in the batch error field',
    class: 5,
    setup: ({ api }) => serve(api, [batch({ status: 'FAILED', error: `key ${KEY} is not allowed` })]),
    exitCode: 1,
    outputs: { status: 'FAILED' },
    maxMs: 5000
  },
  {
    name: 'the key echoed as \\u-escaped JSON in the batch error field, with commit-status set',
    class: 5,
    github: true,
    setup: ({ api, gh }) => {
      serve(api, [json(`{"id":"${ID}","status":"FAILED","error":"key ${uEscape(KEY)} is not allowed"}`)])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ id: 1 }, 201))
    },
    exitCode: 1,
    outputs: { status: 'FAILED' },
    maxMs: 6000,
    check: run => expect(run.github.map(r => JSON.parse(r.body).state)).toEqual(['pending', 'failure'])
  },
  {
    // Server text is cut to 300 characters for a log line long before the line reaches the logger: the
    // client redacts every secret from an answer as it parses it, the GitHub token too.
    name: 'the GitHub token across the 300th character of the batch error: redacted before the log line is cut',
    class: 5,
    setup: ({ api }) => serve(api, [batch({ status: 'FAILED', error: `${'x'.repeat(290)}${GITHUB_TOKEN}` })]),
    exitCode: 1,
    outputs: { status: 'FAILED' },
    maxMs: 5000,
    check: run => expect(errorsText(run)).toContain(`${'x'.repeat(290)}***`)
  },
  {
    name: 'mode report: a GraphQL error that echoes the GitHub token near the 300th character is redacted before any cut',
    class: 5,
    github: true,
    setup: ({ gh }) =>
      gh.route(
        'POST',
        '/graphql',
        json({ data: null, errors: [{ message: `${'y'.repeat(215)} bad credentials for ${GITHUB_TOKEN}` }] })
      ),
    inputs: () => ({ mode: 'report', 'batch-id': '' }),
    exitCode: 1,
    maxMs: 6000,
    requests: [0, 0],
    check: run => expect(errorsText(run)).toContain('bad credentials for ***')
  },
  {
    // Both clients redact the token: Together's as it reads the answer, GitHub's before it cuts the
    // description to 140 characters (that order alone is tested in __tests__/github/ledger.test.ts).
    name: 'the GitHub token across the 140th character of the failure, with commit-status set: redacted, then cut',
    class: 5,
    github: true,
    setup: ({ api, gh }) => {
      // "Failed on fail-on status: " is 26 characters: the token starts at the 131st of the description.
      serve(api, [batch({ status: 'FAILED', error: `${'x'.repeat(104)}${GITHUB_TOKEN}` })])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ id: 1 }, 201))
    },
    exitCode: 1,
    outputs: { status: 'FAILED' },
    maxMs: 6000,
    check: run => {
      const [, final] = run.github.map(r => JSON.parse(r.body) as { state: string; description: string })
      expect(final).toMatchObject({
        state: 'failure',
        description: `Failed on fail-on status: ${'x'.repeat(104)}***`
      })
      // Cut first and redacted after, the description would end in the token's first 9 characters.
      expect(run.github.map(r => r.body).join('\n')).not.toContain(GITHUB_TOKEN.slice(0, 6))
    }
  },
  {
    name: 'the key echoed raw and \\u-escaped in the message of a 4xx body',
    class: 5,
    setup: ({ api }) =>
      serve(api, [
        json(`{"error":{"message":"bad key ${uEscape(KEY)} (you sent ${KEY})","type":"invalid_request_error"}}`, 400)
      ]),
    exitCode: 1,
    maxMs: 5000,
    requests: [1, 1]
  },
  {
    name: 'the key in a redirect Location header (raw and URL-encoded): not followed, not shown',
    class: 5,
    setup: ({ api }) => serve(api, [redirect(`${api.origin}/leak?k=${encodeURIComponent(KEY)}&raw=${KEY}`)]),
    exitCode: 1,
    maxMs: 8000,
    check: run => expect(run.api.filter(r => r.path.startsWith('/leak'))).toEqual([])
  },
  {
    name: 'the key inside result-file error messages never reaches the summary, outputs or commit status',
    class: 5,
    github: true,
    setup: ({ api, gh }) => {
      const content = [resultLine(1, 200), resultLine(2, 401, `invalid key ${KEY}`)].join('\n') + '\n'
      const errors = `{"custom_id":"r3","error":{"message":"key ${uEscape(KEY)} revoked","code":"auth"}}\n`
      serve(api, [batch({ ...COMPLETED, error_file_id: 'file-err' })], content)
      api.route('GET', '/v1/files/file-err', json({ id: 'file-err', bytes: Buffer.byteLength(errors) }))
      api.route('GET', '/v1/files/file-err/content', text(errors, 200, 'application/octet-stream'))
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ id: 1 }, 201))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir, 'max-failed-requests': '0' }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'succeeded-requests': '1', 'failed-requests': '2' },
    maxMs: 8000
  },
  {
    name: 'the GitHub token echoed by the GitHub API is not shown',
    class: 5,
    github: true,
    setup: ({ api, gh }) => {
      serve(api, [batch(COMPLETED)])
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ message: `Bad credentials: ${GITHUB_TOKEN}` }, 401))
    },
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 8000,
    check: run => {
      expect(warningLines(run.log).join('\n')).toMatch(/commit status/i)
      expect(run.github.every(r => !JSON.stringify(r.headers).includes(KEY))).toBe(true)
    }
  },
  {
    name: 'a download redirected to another origin is fetched without the key',
    class: 5,
    setup: async ({ api, extra }) => {
      const storage = await startHostileServer()
      extra.storage = storage
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', redirect(`${storage.origin}/signed/file-out?sig=abc`))
      storage.route('GET', '/signed/file-out', text(JSONL, 200, 'application/octet-stream'))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 0,
    outputs: { status: 'COMPLETED', 'succeeded-requests': '2', 'failed-requests': '1' },
    maxMs: 8000,
    check: (_run, { extra }) => {
      const storage = extra.storage as HostileServer
      expect(storage.requests.map(r => r.headers.authorization)).toEqual([undefined])
    }
  },

  // 6. base-url: loopback means loopback.
  ...['http://127.evil.example/v1', 'http://localhost.evil.example/', 'http://127.0.0.1.nip.io/'].map((url): Case => ({
    name: `base-url ${url} is refused before any request (even through a proxy)`,
    class: 6,
    inputs: () => ({ 'base-url': url }),
    env: ({ api }) => proxyEnv(api.origin),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    check: run => expect(errorsText(run)).toContain('base-url')
  })),
  {
    name: 'base-url with credentials is refused and the credentials are never echoed',
    class: 6,
    inputs: () => ({ 'base-url': 'http://hostileuser:hostilepass123@127.0.0.1:1/' }),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    secrets: ['hostilepass123', 'hostileuser:'],
    check: run => expect(errorsText(run)).toContain('base-url')
  },
  {
    name: 'base-url http://localhost:<port>/v1 is accepted',
    class: 6,
    setup: ({ api }) => serve(api, [batch(COMPLETED)]),
    inputs: ({ api }) => ({ 'base-url': `http://localhost:${api.port}/v1` }),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 6000,
    requests: [1, 1]
  },
  {
    name: 'base-url http://127.0.0.2:<port>/v1 is accepted (when bindable)',
    class: 6,
    setup: async ({ api, extra }) => {
      const other = await startHostileServer({ host: '127.0.0.2' }).catch(() => undefined)
      extra.other = other
      serve(other ?? api, [batch(COMPLETED)])
    },
    inputs: ({ api, extra }) => ({ 'base-url': (extra.other as HostileServer | undefined)?.baseUrl ?? api.baseUrl }),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 6000,
    check: (_run, { extra }) => {
      const other = extra.other as HostileServer | undefined
      if (other) expect(other.requests.length).toBe(1)
    }
  },

  // 7. gzip.
  {
    name: 'gzip-encoded content is stored as plain JSONL and counted right',
    class: 7,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', gzip(JSONL, { 'content-type': 'application/octet-stream' }))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 0,
    outputs: { status: 'COMPLETED', 'succeeded-requests': '2', 'failed-requests': '1' },
    maxMs: 8000,
    check: run => expect(readFileSync(run.outputs['output-path']!, 'utf8')).toBe(JSONL)
  },

  // 8. Many batches, slow API.
  {
    name: '10 batches, 1 s per answer, poll-interval 2s: no batch waits much longer than 2 s + 1 s between checks',
    class: 8,
    setup: ({ api }) => api.route('GET', /^\/v1\/batches\/many-\d+$/, delayed(1000, batch(IN_PROGRESS))),
    inputs: () => ({
      'batch-id': Array.from({ length: 10 }, (_, i) => `many-${i}`).join('\n'),
      'poll-interval': '2s',
      timeout: '12s'
    }),
    exitCode: 1,
    outputs: { 'timed-out': 'true', done: 'false' },
    maxMs: 20_000,
    check: run => {
      for (let i = 0; i < 10; i++) {
        const at = run.api.filter(r => r.path === `/v1/batches/many-${i}`).map(r => r.at)
        const gaps = at.slice(1).map((t, j) => t - at[j]!)
        // 2 s interval + 1 s latency, plus 2.5 s slack for a loaded 2-core machine; sequential checks take 10 s.
        expect({ batch: i, checks: at.length >= 3, maxGap: Math.max(0, ...gaps) <= 5500 }).toEqual({
          batch: i,
          checks: true,
          maxGap: true
        })
      }
    }
  },
  {
    name: 'SIGINT with cancel-on-abort and 40 slow batches: every batch gets its cancel before SIGTERM',
    class: 8,
    setup: ({ api }) => {
      api.route('GET', /^\/v1\/batches\/abort-\d+$/, delayed(1000, batch(IN_PROGRESS)))
      api.route('POST', /^\/v1\/batches\/abort-\d+\/cancel$/, delayed(1000, batch({ status: 'CANCELLING' })))
    },
    inputs: () => ({
      'batch-id': Array.from({ length: 40 }, (_, i) => `abort-${i}`).join(','),
      timeout: '1m',
      'cancel-on-abort': 'true'
    }),
    cancelAfterMs: 3000,
    exitCode: 1,
    maxMs: 3000 + 10_000,
    check: (run, { t0 }) => {
      const sigterm = t0 + run.signalsSent[0]!.atMs + 7500
      const cancelled = run.api.filter(r => r.method === 'POST' && r.at < sigterm).map(r => r.path)
      expect(new Set(cancelled).size).toBe(40)
    }
  },

  // 9. Durations at the edges.
  {
    name: 'poll-interval 25d with timeout 3s: no request flood',
    class: 9,
    setup: ({ api }) => serve(api, [batch(IN_PROGRESS)]),
    inputs: () => ({ 'poll-interval': '25d', timeout: '3s' }),
    exitCode: 1,
    outputs: { 'timed-out': 'true' },
    maxMs: 7000,
    requests: [1, 3]
  },
  {
    name: 'poll-interval 25d with a long timeout, aborted after 3 s: no request flood',
    class: 9,
    setup: ({ api }) => serve(api, [batch(IN_PROGRESS)]),
    inputs: () => ({ 'poll-interval': '25d', timeout: '30d' }),
    cancelAfterMs: 3000,
    exitCode: 1,
    maxMs: 3000 + 7500,
    requests: [1, 3]
  },
  {
    name: 'timeout 0.0001 (rounds to zero) is refused, not a silent check-once',
    class: 9,
    setup: ({ api }) => serve(api, [batch(IN_PROGRESS)]),
    inputs: () => ({ timeout: '0.0001' }),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    check: run => expect(errorsText(run)).toContain('timeout')
  },

  // 10. A wrong base-url, or an API that is down.
  {
    name: 'a 200 HTML page (wrong base-url) fails quickly, pointing at base-url',
    class: 10,
    setup: ({ api }) => serve(api, [text('<!doctype html><html><body><h1>Welcome</h1></body></html>')]),
    inputs: () => ({ timeout: '1m' }),
    exitCode: 1,
    maxMs: 20_000,
    check: run => expect(errorsText(run)).toContain('base-url')
  },
  {
    name: 'a 200 JSON that is not a batch object is a configuration error naming base-url after a few tries',
    class: 10,
    setup: ({ api }) => serve(api, [json({ message: 'Welcome to the API', version: 2 })]),
    inputs: () => ({ timeout: '1m' }),
    exitCode: 1,
    maxMs: 20_000,
    requests: [1, 10],
    check: run => expect(errorsText(run)).toContain('base-url')
  },
  {
    name: '503 on every try until timeout 5s: the final error quotes the last error',
    class: 10,
    setup: ({ api }) => serve(api, [json({ error: { message: 'upstream overloaded' } }, 503)]),
    inputs: () => ({ timeout: '5s' }),
    exitCode: 1,
    maxMs: 5000 + 4000,
    check: run => expect(errorsText(run)).toContain('HTTP 503')
  },
  {
    name: 'an HTML 404 points at base-url, not at the batch ID',
    class: 10,
    setup: ({ api }) => serve(api, [text('<html><body>404 Not Found</body></html>', 404)]),
    exitCode: 1,
    maxMs: 6000,
    check: run => expect(errorsText(run)).toContain('base-url')
  },
  {
    name: '429 with retry-after 100000 at timeout 5s: says rate limited and the time really waited',
    class: 10,
    setup: ({ api }) =>
      serve(api, [json({ error: { message: 'Too many requests' } }, 429, { 'retry-after': '100000' })]),
    inputs: () => ({ timeout: '5s' }),
    exitCode: 1,
    maxMs: 5000 + 4000,
    check: run => {
      expect(errorsText(run)).toMatch(/rate[- ]?limit/i)
      expect(errorsText(run)).toMatch(/\b[3-8]s\b/)
      expect(run.log).not.toMatch(/\b27h\b|\b1d\b|100000/)
    }
  },

  // 11. An answer about another batch.
  {
    name: 'an answer whose id is another batch fails that batch, naming both IDs, without its file',
    class: 11,
    setup: ({ api }) => serve(api, [json({ ...COMPLETED, id: 'batch-other', output_file_id: 'file-other' })]),
    exitCode: 1,
    maxMs: 6000,
    check: run => {
      expect(run.outputs['output-file-id'] ?? '').not.toContain('file-other')
      expect(errorsText(run)).toContain(ID)
      expect(errorsText(run)).toContain('batch-other')
    }
  },
  {
    name: 'two batches, one answered with the other: it fails and does not take the other output file',
    class: 11,
    setup: ({ api }) => {
      api.route('GET', '/v1/batches/batch-a', json({ ...COMPLETED, id: 'batch-b', output_file_id: 'file-b' }))
      api.route('GET', '/v1/batches/batch-b', json({ ...COMPLETED, id: 'batch-b', output_file_id: 'file-b' }))
    },
    inputs: () => ({ 'batch-id': 'batch-a batch-b' }),
    exitCode: 1,
    maxMs: 6000,
    check: run => {
      const [a] = JSON.parse(run.outputs.batches ?? '[]') as { id: string; output_file_id: string | null }[]
      expect(a?.id).toBe('batch-a')
      expect(a?.output_file_id).not.toBe('file-b')
      expect(errorsText(run)).toContain('batch-a')
      expect(errorsText(run)).toContain('batch-b')
    }
  },

  // 12. Dots.
  ...['.', '..', '%2E%2E'].map((id): Case => ({
    name: `batch-id '${id}' is refused before any request`,
    class: 12,
    setup: ({ api }) => api.route('GET', /./, batch(COMPLETED)),
    inputs: () => ({ 'batch-id': id }),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    check: run => expect(errorsText(run)).toContain('batch-id')
  })),
  {
    name: "a server output_file_id '..' is refused for its batch: no request to /v1/ or /v1/files/..",
    class: 12,
    setup: ({ api }) => {
      serve(api, [batch({ ...COMPLETED, output_file_id: '..' })])
      api.route('GET', /^\/v1\/files/, json({ id: 'x', bytes: 3 }))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    maxMs: 8000,
    check: run => {
      expect(run.api.map(r => r.path).filter(p => p !== `/v1/batches/${ID}`)).toEqual([])
      expect(run.outputs['output-file-id']).not.toBe('..')
      expect(errorsText(run)).toContain(ID)
    }
  },

  // 13. Proxies.
  {
    name: 'HTTPS_PROXY and HTTP_PROXY without a scheme (127.0.0.1:<port>) are accepted',
    class: 13,
    setup: async ({ api, extra }) => {
      serve(api, [batch(COMPLETED)])
      extra.proxy = await startHostileServer({ tunnel: true })
    },
    env: ({ extra }) => proxyEnv(`127.0.0.1:${(extra.proxy as HostileServer).port}`),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 6000,
    requests: [1, 1]
  },
  {
    name: 'HTTPS_PROXY=::garbage:: is one clear error naming HTTPS_PROXY, no stack trace',
    class: 13,
    setup: ({ api }) => serve(api, [batch(COMPLETED)]),
    env: () => ({ HTTPS_PROXY: '::garbage::' }),
    exitCode: 1,
    maxMs: 5000,
    requests: [0, 0],
    check: run => {
      expect(errorLines(run.log)).toHaveLength(1)
      expect(errorsText(run)).toContain('HTTPS_PROXY')
    }
  },
  {
    name: 'through a working CONNECT proxy, no experimental warning is printed',
    class: 13,
    setup: async ({ api, extra }) => {
      serve(api, [batch(COMPLETED)])
      extra.proxy = await startHostileServer({ tunnel: true })
    },
    env: ({ extra }) => proxyEnv((extra.proxy as HostileServer).origin),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 6000,
    check: (run, { extra }) => {
      expect(run.log).not.toMatch(/experimental/i)
      expect((extra.proxy as HostileServer).requests.map(r => r.method)).toContain('CONNECT')
    }
  },

  // 14. What the log and outputs claim.
  {
    name: 'COMPLETED without progress after IN_PROGRESS 40%: the COMPLETED line does not show 40%',
    class: 14,
    setup: ({ api }) =>
      serve(api, [
        batch({ status: 'IN_PROGRESS', progress: 40 }),
        batch({ status: 'COMPLETED', output_file_id: 'file-out' })
      ]),
    exitCode: 0,
    outputs: { status: 'COMPLETED', 'output-file-id': 'file-out' },
    maxMs: 6000,
    check: run => expect(run.log.split('\n').filter(l => /COMPLETED/.test(l) && /\b40%/.test(l))).toEqual([])
  },
  {
    name: 'cancel answered CANCELLING: the status output is CANCELLING or CANCELLED, not IN_PROGRESS',
    class: 14,
    setup: ({ api }) => {
      serve(api, [batch({ status: 'IN_PROGRESS', progress: 30 })])
      api.route('POST', `/v1/batches/${ID}/cancel`, batch({ status: 'CANCELLING', progress: 30 }))
    },
    inputs: () => ({ timeout: '1m', 'cancel-on-abort': 'true' }),
    cancelAfterMs: 2000,
    exitCode: 1,
    maxMs: 2000 + 7500,
    check: run => {
      expect(['CANCELLING', 'CANCELLED']).toContain(run.outputs.status)
      expect(run.api.filter(r => r.method === 'POST')).toHaveLength(1)
    }
  },
  {
    name: 'a download redirect loop: bounded, and never "redirects are not followed" after following them',
    class: 14,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', redirect('/v1/files/file-out/content'))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out' },
    maxMs: 10_000,
    check: run => expect(run.log).not.toContain('redirects are not followed')
  },
  ...['ftp://127.0.0.1/results.jsonl', 'file:///etc/passwd'].map((location): Case => ({
    name: `a download redirect to ${location} is not retried five times`,
    class: 14,
    setup: ({ api }) => {
      serve(api, [batch(COMPLETED)])
      api.route('GET', '/v1/files/file-out/content', redirect(location))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 1,
    outputs: { status: 'FAILED', passed: 'false', 'output-file-id': 'file-out' },
    maxMs: 8000,
    check: (run, { dir }) => {
      expect(fileRequests(run).filter(p => p.endsWith('/content')).length).toBeLessThanOrEqual(2)
      expect(readdirSync(dir)).toEqual([])
    }
  })),

  // 15. Result files as JSON allows them, and as no polite API writes them.
  {
    name: 'U+2028 and U+2029 in every response text: each line counted once, with its tokens, and max-cost fails',
    class: 15,
    setup: ({ api }) => {
      // JSON.stringify writes U+2028 and U+2029 raw, as JSON allows; readline would end a line at each.
      const line = (i: number): string =>
        JSON.stringify({
          custom_id: `r${i}`,
          response: {
            status_code: 200,
            body: {
              model: 'm',
              choices: [{ message: { content: 'first\u2028second\u2029third' } }],
              usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }
            }
          }
        })
      serve(api, [batch({ ...COMPLETED, model_id: 'm' })], Array.from({ length: 10 }, (_, i) => line(i)).join('\n'))
      api.route('GET', '/v1/models', json([{ id: 'm', pricing: { input: 1, output: 2 } }]))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir, 'max-cost': '5' }),
    exitCode: 1,
    outputs: { 'succeeded-requests': '10', 'failed-requests': '0', 'estimated-cost': '30.0000', passed: 'false' },
    maxMs: 8000,
    check: run => expect(errorsText(run)).toContain('Estimated cost $30.0000 is more than max-cost $5.00')
  },
  {
    name: 'token counts as strings, fractions or only a total: max-cost fails closed instead of pricing them at $0',
    class: 15,
    setup: ({ api }) => {
      const line = (i: number, usage: Record<string, unknown>): string =>
        JSON.stringify({ custom_id: `r${i}`, response: { status_code: 200, body: { model: 'm', usage } } })
      const lines = [
        line(1, { prompt_tokens: '90000000', completion_tokens: '90000000' }),
        line(2, { prompt_tokens: 90_000_000.5, completion_tokens: 1 }),
        line(3, { total_tokens: 180_000_000 })
      ]
      serve(api, [batch({ ...COMPLETED, model_id: 'm' })], lines.join('\n'))
      api.route('GET', '/v1/models', json([{ id: 'm', pricing: { input: 10, output: 10 } }]))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir, 'max-cost': '1' }),
    exitCode: 1,
    outputs: { 'succeeded-requests': '3', 'estimated-cost': '', passed: 'false' },
    maxMs: 8000,
    check: run =>
      expect(errorsText(run)).toContain(
        'Cannot check max-cost $1.00: 3 result lines give token counts that cannot be read'
      )
  },
  {
    name: 'a result line of 65 MiB is one unreadable request, not a crash: the final status and the summary still go out',
    class: 15,
    github: true,
    setup: ({ api, gh }) => {
      const ok = JSON.stringify({ custom_id: 'r1', response: { status_code: 200, body: {} } })
      serve(api, [batch(COMPLETED)], `${ok}\n{"custom_id":"r2","x":"${'x'.repeat(65 * 1024 * 1024)}"}\n`)
      gh.route('POST', /^\/repos\/o\/r\/statuses\//, json({ id: 1 }, 201))
    },
    inputs: ({ dir }) => ({ 'download-dir': dir }),
    exitCode: 0,
    outputs: { 'succeeded-requests': '1', 'failed-requests': '1', passed: 'true' },
    maxMs: 15_000,
    check: run => {
      expect(run.github.map(r => (JSON.parse(r.body) as { state: string }).state)).toEqual(['pending', 'success'])
      expect(run.summary).toContain('unreadable_line')
    }
  }
]

describe('hostile server: the bundle against what no polite API sends', () => {
  it.concurrent.each(cases)(
    '[$class] $name',
    async c => {
      const api = await startHostileServer()
      const gh = await startHostileServer()
      const dir = mkdtempSync(join(tmpdir(), 'hostile-dl-'))
      const ctx: Ctx = { api, gh, dir, t0: 0, extra: {} }
      try {
        await c.setup?.(ctx)
        ctx.t0 = Date.now()
        const run = await runHostile({
          api,
          github: c.github ? gh : undefined,
          inputs: c.inputs?.(ctx),
          env: c.env?.(ctx),
          cancelAfterMs: c.cancelAfterMs,
          killAfterMs: c.maxMs + 3000
        })
        expect({ exitCode: run.exitCode, log: run.exitCode === c.exitCode ? '' : run.log.slice(-3000) }).toEqual({
          exitCode: c.exitCode,
          log: ''
        })
        if (run.exitCode === 0) {
          // A verdict was reached: never exit 0 with no outputs and no summary.
          expect(run.outputs.status ?? '').not.toBe('')
          expect(run.summary).not.toBe('')
        }
        if (c.outputs) expect(run.outputs).toMatchObject(c.outputs)
        expect(run.durationMs).toBeLessThan(c.maxMs)
        if (c.requests) {
          expect(run.api.length).toBeGreaterThanOrEqual(c.requests[0])
          expect(run.api.length).toBeLessThanOrEqual(c.requests[1])
        }
        expectNoLeakNoForgery(run, [KEY, GITHUB_TOKEN, ...(c.secrets ?? [])])
        expect(run.log).not.toMatch(/^ {4}at /m) // no stack trace
        // no runtime warning: `(node:123) [UNDICI-EHPA] Warning: … experimental`, TimeoutOverflowWarning, …
        expect(run.log).not.toMatch(
          /^\(node:\d+\) |ExperimentalWarning|TimeoutOverflowWarning|UnhandledPromiseRejection/m
        )
        await c.check?.(run, ctx)
      } finally {
        await api.close()
        await gh.close()
        for (const value of Object.values(ctx.extra)) await (value as Partial<HostileServer> | undefined)?.close?.()
        rmSync(dir, { recursive: true, force: true })
      }
    },
    60_000
  )
})
