import { describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { Fault, Scenario } from '../../tools/simulator/scenario.js'
import { runAction } from '../../tools/runner/run-action.js'
import { SIM_KEY, errorLines, expectKeySafe, gaps, runScenario, type E2eRun } from '../helpers/e2e.js'

type Inline = Omit<Scenario, 'name'> & { name?: string }

/** A batch that completes after `seconds`, behind the given faults. */
function completing(faults: Fault[] = [], seconds = 1, set: Record<string, unknown> = {}): Inline {
  return {
    description: 'completes behind faults',
    batch: { id: 'batch-fault', model_id: 'Qwen/Qwen3.5-9B', endpoint: '/v1/chat/completions' },
    timeline: [
      { at: 0, status: 'IN_PROGRESS', progress: 10 },
      { at: seconds, status: 'COMPLETED', progress: 100, set: { output_file_id: 'file-out', ...set } }
    ],
    faults
  }
}

/** A batch whose status sequence is given, one point per second. */
function statuses(points: { status: string; progress?: unknown; set?: Record<string, unknown> }[]): Inline {
  return {
    description: 'scripted statuses',
    batch: { id: 'batch-fault' },
    timeline: points.map((p, i) => ({ at: i, status: p.status, progress: p.progress as number, set: p.set }))
  }
}

interface Case {
  name: string
  scenario: Inline | string
  inputs?: Record<string, string>
  cancelAfterMs?: number
  exitCode: number
  outputs?: Record<string, string>
  /** Upper bound on the whole run, ms. */
  maxMs: number
  /** Bounds on the number of requests the simulator saw. */
  requests: [number, number]
  check?(run: E2eRun): void
}

const HUGE = 'E'.repeat(1_000_000)
const INJECTION = '<img src=x onerror=alert(1)> ![pixel](https://evil.test/p.png) [click](https://evil.test) | `code`'

// The cases' check() callbacks run inside the it.concurrent.each below, after the shared assertions.
const cases: Case[] = [
  {
    name: '429 with retry-after is honoured',
    scenario: completing([
      {
        type: 'status',
        requests: [1],
        status: 429,
        headers: { 'retry-after': '2' },
        body: { error: { message: 'Rate limit' } }
      }
    ]),
    exitCode: 0,
    outputs: { status: 'COMPLETED' },
    maxMs: 8000,
    requests: [2, 4],
    check: run => expect(gaps(run.requests)[0]).toBeGreaterThanOrEqual(2000)
  },
  {
    name: 'a burst of 503s is retried until it passes',
    scenario: completing([{ type: 'status', from: 1, count: 4, status: 503, body: { error: 'unavailable' } }]),
    exitCode: 0,
    maxMs: 10_000,
    requests: [5, 7],
    check: run => expect(run.log.split('\n').filter(l => l.startsWith('::warning'))).toHaveLength(4)
  },
  {
    name: '502 with an HTML page is retried and logged without the HTML',
    scenario: completing([
      { type: 'status', requests: [1], status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }
    ]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 4],
    check: run => {
      expect(run.log).toContain('HTTP 502: HTML error page')
      expect(run.log).not.toContain('<h1>')
    }
  },
  {
    name: 'a reset connection is retried',
    scenario: completing([{ type: 'reset', requests: [1, 2] }]),
    exitCode: 0,
    maxMs: 8000,
    requests: [3, 5]
  },
  {
    name: 'a server that never answers cannot hold the step past its deadline',
    scenario: completing([{ type: 'hang', from: 2 }], 3600),
    inputs: { timeout: '3s' },
    exitCode: 1,
    outputs: { status: 'IN_PROGRESS', 'timed-out': 'true', progress: '10' },
    maxMs: 3000 + 2500,
    requests: [2, 3],
    check: run => expect(run.summary).toContain('timed out')
  },
  {
    name: 'a 200 HTML page instead of JSON is retried',
    scenario: completing([{ type: 'bad-json', requests: [1] }]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 4],
    check: run => expect(run.log).toContain('answered HTTP 200 with an HTML page, not the Together API')
  },
  {
    // The simulator answers `body: null` with the four bytes `null` as application/json (see tools/simulator/server.test.ts).
    name: 'a 200 whose body is null is retried',
    scenario: completing([{ type: 'status', requests: [1], status: 200, body: null }]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 4],
    check: run => {
      expect(run.requests[0]!.fault).toBe('status 200')
      expect(run.log).toContain('not a batch object')
      expect(run.log).not.toContain('not JSON')
    }
  },
  {
    name: 'a 200 with an empty body is retried',
    scenario: completing([{ type: 'status', requests: [1], status: 200, body: '' }]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 4],
    check: run => {
      expect(run.requests[0]!.fault).toBe('status 200')
      expect(run.log).toContain('not a batch object')
    }
  },
  {
    name: 'a slow body is waited for',
    scenario: completing([{ type: 'slow-body', requests: [1], delayMs: 500 }], 0),
    exitCode: 0,
    maxMs: 5000,
    requests: [1, 1]
  },
  {
    name: '401 fails at once with advice',
    scenario: 'completes',
    inputs: { 'api-key': 'sim-wrong-key-42' },
    exitCode: 1,
    maxMs: 4000,
    requests: [1, 1],
    check: run => {
      expect(errorLines(run.log)[0]).toContain('Together refused the API key (HTTP 401)')
      expectKeySafe(run, 'sim-wrong-key-42', false)
    }
  },
  {
    name: '403 fails at once with advice',
    scenario: completing([{ type: 'status', from: 1, status: 403, body: { error: { message: 'Forbidden' } } }]),
    exitCode: 1,
    maxMs: 4000,
    requests: [1, 1],
    check: run => expect(errorLines(run.log)[0]).toContain('(HTTP 403) for batch batch-fault')
  },
  {
    name: '404 names the batch and what to check',
    scenario: 'completes',
    inputs: { 'batch-id': 'batch-nobody-has' },
    exitCode: 1,
    maxMs: 4000,
    requests: [1, 1],
    check: run =>
      expect(errorLines(run.log)[0]).toContain(
        'Batch batch-nobody-has was not found for this API key (HTTP 404): check batch-id'
      )
  },
  {
    name: 'an unknown status is a warning, not a crash',
    scenario: statuses([
      { status: 'PAUSED' },
      { status: 'PAUSED' },
      { status: 'COMPLETED', set: { output_file_id: 'f' } }
    ]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 5],
    check: run => expect(run.log.split('\n').filter(l => l.includes("unknown status 'PAUSED'"))).toHaveLength(1)
  },
  {
    name: 'CANCELING then CANCELLED fails the step (in fail-on)',
    scenario: statuses([
      { status: 'CANCELING', progress: 30 },
      { status: 'CANCELLED', progress: 30 }
    ]),
    exitCode: 1,
    outputs: { status: 'CANCELLED' },
    maxMs: 5000,
    requests: [2, 3],
    check: run => expect(run.log).not.toContain('::warning')
  },
  {
    name: 'CANCELLED passes when fail-on leaves it out',
    scenario: statuses([{ status: 'CANCELLED', set: { output_file_id: 'file-partial' } }]),
    inputs: { 'fail-on': 'FAILED' },
    exitCode: 0,
    outputs: { status: 'CANCELLED', 'output-file-id': 'file-partial' },
    maxMs: 4000,
    requests: [1, 1]
  },
  {
    name: 'COMPLETED without an output file fails after two re-checks',
    scenario: statuses([{ status: 'COMPLETED', progress: 100, set: { error_file_id: 'file-err' } }]),
    exitCode: 1,
    outputs: { 'error-file-id': 'file-err', 'output-file-id': '' },
    maxMs: 6000,
    requests: [3, 3]
  },
  {
    name: 'missing, null and mistyped fields are survived',
    scenario: {
      description: 'sparse batch',
      batch: { id: 'batch-fault', model_id: null, endpoint: 42, created_at: null },
      timeline: [
        { at: 0, status: 'IN_PROGRESS', progress: 'lots' as unknown as number },
        { at: 1, status: 'IN_PROGRESS', progress: 150 },
        { at: 2, status: 'COMPLETED', set: { output_file_id: 'f', progress: null } }
      ]
    },
    exitCode: 0,
    outputs: { status: 'COMPLETED', 'output-file-id': 'f' },
    maxMs: 6000,
    requests: [2, 5],
    check: run => {
      expect(run.log).toContain('model unknown, endpoint unknown')
      expect(run.log).toMatch(/IN_PROGRESS 100%/)
    }
  },
  {
    name: 'SIGINT without cancel-on-abort leaves the batch running and exits well inside 7.5 s',
    scenario: 'stays-in-progress',
    inputs: { timeout: '1m' },
    cancelAfterMs: 1500,
    exitCode: 1,
    outputs: { status: 'IN_PROGRESS', 'timed-out': 'false' },
    maxMs: 1500 + 3000,
    requests: [1, 3],
    check: run => {
      expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
      expect(run.log).toContain('batch batch-stays-in-progress is left running')
      expect(run.requests.some(r => r.method === 'POST')).toBe(false)
      expect(run.summary).toContain('wait aborted')
    }
  },
  {
    name: 'SIGINT with cancel-on-abort cancels the batch, then exits',
    scenario: 'stays-in-progress',
    inputs: { timeout: '1m', 'cancel-on-abort': 'true' },
    cancelAfterMs: 1500,
    exitCode: 1,
    maxMs: 1500 + 3000,
    requests: [2, 4],
    check: run => {
      expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
      expect(run.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/batches/batch-stays-in-progress/cancel' })
      expect(errorLines(run.log)[0]).toContain('Cancel requested: Together answered CANCELING.')
    }
  },
  {
    name: 'timeout with cancel-on-timeout cancels and reports the answer',
    scenario: 'stays-in-progress',
    inputs: { timeout: '2s', 'cancel-on-timeout': 'true' },
    exitCode: 1,
    outputs: { 'timed-out': 'true' },
    maxMs: 2000 + 2500,
    requests: [2, 4],
    check: run => {
      expect(run.requests.filter(r => r.method === 'POST')).toHaveLength(1)
      expect(run.summary).toContain('requested, Together answered CANCELING')
    }
  },
  {
    name: 'a path-injected batch id is rejected before any request',
    scenario: 'completes',
    inputs: { 'batch-id': '../files/file-output-completes' },
    exitCode: 1,
    maxMs: 3000,
    requests: [0, 0],
    check: run => expect(run.log).toContain('::error::Invalid batch-id "../files/file-output-completes"')
  },
  {
    name: 'a plain-http base URL off this machine is refused before any request',
    scenario: 'completes',
    inputs: { 'base-url': 'http://api.together.example/v1' },
    exitCode: 1,
    maxMs: 3000,
    requests: [0, 0],
    check: run => expect(run.log).toContain('Expected an https:// URL')
  },
  {
    name: 'HTML and Markdown in server text are escaped in the summary',
    scenario: statuses([{ status: 'FAILED', set: { error: INJECTION, model_id: '<script>alert(1)</script>' } }]),
    exitCode: 1,
    maxMs: 4000,
    requests: [1, 1],
    check: run => {
      expect(run.summary).not.toMatch(/<img|<script|!\[|\]\(|https:/)
      expect(run.summary).toContain('&#60;img src=x onerror=alert&#40;1&#41;&#62;')
    }
  },
  {
    name: 'a 1 MB error message is truncated in log, summary and outputs',
    scenario: statuses([{ status: 'FAILED', set: { error: HUGE } }]),
    exitCode: 1,
    maxMs: 5000,
    requests: [1, 1],
    check: run => {
      expect(Buffer.byteLength(run.summary)).toBeLessThan(20_000)
      expect(run.log.length).toBeLessThan(100_000)
      expect(run.outputs.error!.length).toBeLessThanOrEqual(4096)
    }
  },
  {
    name: 'a key echoed back by the server is redacted everywhere',
    scenario: completing([
      { type: 'status', requests: [1], status: 500, body: { error: 'bad auth header {{authorization}}' } }
    ]),
    exitCode: 0,
    maxMs: 6000,
    requests: [2, 4],
    check: run => expect(run.log).toContain('bad auth header Bearer ***')
  },
  {
    name: 'a batch that never finishes times out at the deadline',
    scenario: 'stays-in-progress',
    inputs: { timeout: '2s' },
    exitCode: 1,
    outputs: { status: 'IN_PROGRESS', 'timed-out': 'true' },
    maxMs: 2000 + 2500,
    requests: [2, 3],
    check: run => expect(errorLines(run.log)[0]).toContain("Raise the 'timeout' input")
  }
]

describe('fault injection: the bundle against the simulator', () => {
  it.concurrent.each(cases)('$name', async c => {
    const run = await runScenario({ scenario: c.scenario, inputs: c.inputs, cancelAfterMs: c.cancelAfterMs })
    expect({ exitCode: run.exitCode, log: run.exitCode === c.exitCode ? '' : run.log }).toEqual({
      exitCode: c.exitCode,
      log: ''
    })
    expect(run.outputs).toMatchObject(c.outputs ?? {})
    expect(run.durationMs).toBeLessThan(c.maxMs)
    expect(run.requests.length).toBeGreaterThanOrEqual(c.requests[0])
    expect(run.requests.length).toBeLessThanOrEqual(c.requests[1])
    expect(run.log).not.toMatch(/\n\s+at .+:\d+:\d+/) // no stack trace
    expect(run.log).not.toContain('UnhandledPromiseRejection')
    expect(errorLines(run.log).length).toBe(c.exitCode === 0 ? 0 : 1)
    // Every case either fails or reaches the server (the bounds above hold that), and both write a summary.
    expect(run.summary).not.toBe('')
    expectKeySafe(run, SIM_KEY, !c.inputs?.['api-key'])
    c.check?.(run)
  })
})

/** A minimal HTTP CONNECT proxy on loopback that counts the tunnels it opened. */
async function startProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = []
  const server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, server }
}

describe('proxies', () => {
  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const proxy = await startProxy()
    try {
      const viaProxy = await runScenario({
        scenario: completing([], 0),
        env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }
      })
      expect(viaProxy.exitCode).toBe(0)
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1)
      expect(proxy.tunnels[0]).toMatch(/^127\.0\.0\.1:\d+$/)
      expectKeySafe(viaProxy)

      const before = proxy.tunnels.length
      const bypass = await runScenario({
        scenario: completing([], 0),
        env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }
      })
      expect(bypass.exitCode).toBe(0)
      expect(proxy.tunnels.length).toBe(before)
    } finally {
      proxy.server.closeAllConnections()
      proxy.server.close()
    }
  })
})

describe('a base URL that cannot be reached, before any check succeeded', () => {
  // The default timeout (5h45m): the run must end on its own within seconds, long before the kill.
  const inputs = { 'batch-id': 'batch-1', 'api-key': SIM_KEY }

  it('fails in seconds when the host does not resolve, naming the host and base-url', async () => {
    // .invalid never resolves (RFC 6761): getaddrinfo answers ENOTFOUND at once.
    const run = await runAction({
      inputs: { ...inputs, 'base-url': 'https://nonexistent.invalid/v1' },
      killAfterMs: 60_000
    })
    expect(run.exitCode).toBe(1)
    expect(run.durationMs).toBeLessThan(15_000)
    expect(errorLines(run.log)).toEqual([
      expect.stringContaining(
        'Could not check batch batch-1: GET /batches/batch-1 failed: the host nonexistent.invalid does not resolve'
      )
    ])
    expect(errorLines(run.log)[0]).toContain(
      ': check base-url (expected the API root such as https://api.together.ai/v1).'
    )
    expect(run.outputs.passed).toBe('false')
  }, 70_000)

  it('fails in seconds when the TLS handshake fails (https to a port that speaks plain HTTP)', async () => {
    const server = createServer((_req, res) => res.end('{}'))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const run = await runAction({
        inputs: { ...inputs, 'base-url': `https://127.0.0.1:${port}/v1` },
        killAfterMs: 60_000
      })
      expect(run.exitCode).toBe(1)
      expect(run.durationMs).toBeLessThan(15_000)
      expect(errorLines(run.log)[0]).toMatch(
        /Could not check batch batch-1: GET \/batches\/batch-1 failed: the TLS handshake with 127\.0\.0\.1 failed \(ERR_SSL_WRONG_VERSION_NUMBER: .*: check base-url/
      )
      expectKeySafe({ ...run, requests: [], batchId: 'batch-1' }, SIM_KEY, false)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  }, 70_000)
})
