import { describe, expect, it } from '@jest/globals'
import { LIST_FROM_BATCHES, LIST_GRACE_MS, ListReader } from '../../src/engine/list-reader.js'
import { BatchTracker } from '../../src/engine/tracker.js'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions, WaitReport } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi, type ListPlan } from '../../tools/virtual/event-loop.js'

const OPTIONS: Omit<WaitAllOptions, 'batchIds'> = {
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}

type Plan = (id: string, elapsed: number) => BatchJob | Error

/** The engine in virtual time against a fake that lists batches; `list` defaults to every batch's own answer. */
function setup(
  ids: string[],
  plan: Plan,
  options: { list?: ListPlan; latency?: number; listLatency?: number; signal?: AbortSignal } = {}
) {
  const loop = eventLoop()
  const log = recordingLogger()
  const everyBatch: ListPlan = elapsed =>
    ids.map(id => plan(id, elapsed)).filter((job): job is BatchJob => !(job instanceof Error))
  const fake = latentApi(
    loop,
    (id, elapsed) => plan(id, elapsed),
    (_id, method) => (method === 'list' ? (options.listLatency ?? options.latency ?? 0) : (options.latency ?? 0)),
    undefined,
    options.list ?? everyBatch
  )
  const run = (more: Partial<WaitAllOptions> = {}): Promise<WaitReport> =>
    loop.run(
      waitForBatches(
        { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log, signal: options.signal },
        { ...OPTIONS, batchIds: ids, ...more }
      )
    )
  const lists = () => fake.calls.filter(c => c.method === 'list')
  const gets = (id?: string) => fake.calls.filter(c => c.method === 'get' && (id === undefined || c.id === id))
  return { loop, log, run, lists, gets, start: loop.now(), ...fake }
}

const ids = (n: number, prefix = 'b') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
const running = (id: string, progress = 10): BatchJob => ({ id, status: 'IN_PROGRESS', progress })
const completed = (id: string): BatchJob => ({ id, status: 'COMPLETED', progress: 100, output_file_id: `out-${id}` })
/** Every batch runs until `atMs`, then completes with its output file. */
const together =
  (atMs: number): Plan =>
  (id, elapsed) =>
    elapsed >= atMs ? completed(id) : running(id)

describe('reading many batches from the batch list', () => {
  it('reads 200 batches finishing together with one list request per check and no GET of their own', async () => {
    const finish = 10 * 60_000 + 1234
    const { run, lists, gets, start, log } = setup(ids(200), together(finish), { latency: 250 })
    const all = await run({ pollIntervalMs: 30_000 })
    expect(all.done).toBe(true)
    expect(all.results.every(r => r.outcome === 'completed' && r.batch?.output_file_id === `out-${r.batchId}`)).toBe(
      true
    )
    expect(gets()).toHaveLength(0)
    // One list per poll interval, and the step ends within an interval plus the answer's latency of the finish.
    expect(lists().length).toBeLessThanOrEqual(Math.ceil(finish / 30_000) + 1)
    expect(all.endedAt - (start + finish)).toBeLessThanOrEqual(30_000 + 250)
    expect(all.results[0]!.requests).toBe(lists().length)
    expect(log.text('debug')).toMatch(/^Read 200 batch states from one GET \/v1\/batches\.$/m)
  })

  it(`reads fewer than ${LIST_FROM_BATCHES} batches with one GET each, and says so once`, async () => {
    const { run, lists, gets, log } = setup(ids(LIST_FROM_BATCHES - 1), together(0))
    const all = await run()
    expect(all.done).toBe(true)
    expect(lists()).toHaveLength(0)
    expect(gets()).toHaveLength(LIST_FROM_BATCHES - 1)
    expect(log.text('debug').match(/one GET per batch/g)).toHaveLength(1)
  })

  it('checks a batch missing from the list with its own GET at once, and only that one', async () => {
    const all = ids(6)
    const list: ListPlan = () => all.slice(1).map(id => running(id))
    const { run, lists, gets, log } = setup(all, id => (id === all[0] ? completed(id) : running(id)), { list })
    const result = await run({ timeoutMs: 0 })
    expect(lists()).toHaveLength(1)
    expect(gets().map(c => c.id)).toEqual([all[0]])
    expect(gets()[0]!.at - lists()[0]!.at).toBeLessThanOrEqual(250)
    expect(result.results.map(r => r.outcome)).toEqual([
      'completed',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending'
    ])
    expect(log.text('debug')).toContain('Read 5 batch states from one GET /v1/batches; 1 to check')
  })

  it.each([
    ['COMPLETED without an output file', (id: string): BatchJob[] => [{ id, status: 'COMPLETED', progress: 100 }]],
    ['listed twice', (id: string): BatchJob[] => [completed(id), running(id)]],
    ['with a line break in its status', (id: string): BatchJob[] => [{ ...completed(id), status: 'COMPLETED\n::x' }]],
    ['without a status', (id: string): BatchJob[] => [{ ...completed(id), status: undefined }]],
    ['with a workflow command for a model', (id: string): BatchJob[] => [{ ...completed(id), model_id: '::error::x' }]],
    ['with a bidi override in its error', (id: string): BatchJob[] => [{ ...completed(id), error: 'a\u202Eb' }]]
  ])('never takes the verdict from an entry %s: its own GET decides', async (_case, entries) => {
    const all = ids(5)
    const list: ListPlan = () => [...entries(all[0]!), ...all.slice(1).map(id => completed(id))]
    const { run, gets } = setup(all, id => (id === all[0] ? running(id, 70) : completed(id)), { list })
    const result = await run({ timeoutMs: 0 })
    expect(gets().map(c => c.id)).toEqual([all[0]])
    expect(result.results[0]).toMatchObject({ outcome: 'pending', status: 'IN_PROGRESS', progress: 70 })
    expect(result.results.slice(1).every(r => r.outcome === 'completed')).toBe(true)
  })

  it('takes a final entry other than COMPLETED from the list, without an output file', async () => {
    const all = ids(4)
    const failed = (id: string): BatchJob => ({ id, status: 'FAILED', progress: 30, error_file_id: `err-${id}` })
    const { run, gets, lists } = setup(all, failed)
    const result = await run({ timeoutMs: 0 })
    expect(lists()).toHaveLength(1)
    expect(gets()).toHaveLength(0)
    expect(result.results.every(r => r.outcome === 'ended-not-completed' && r.finalStatus === 'FAILED')).toBe(true)
  })

  it('checks a batch missing from one list with its own GET once, then reads it from the list again', async () => {
    const all = ids(5)
    const plan = together(45_000)
    const list: ListPlan = (elapsed, call) =>
      all.filter(id => call > 1 || id !== all[0]).map(id => plan(id, elapsed) as BatchJob)
    const { run, gets, lists } = setup(all, plan, { list, listLatency: 1000 })
    const result = await run()
    expect(result.results.every(r => r.outcome === 'completed')).toBe(true)
    expect(lists()).toHaveLength(3)
    expect(gets().map(c => c.id)).toEqual([all[0]])
  })

  it(`goes back to one GET per batch once fewer than ${LIST_FROM_BATCHES} wait, and says so`, async () => {
    const all = ids(LIST_FROM_BATCHES)
    const plan: Plan = (id, elapsed) => (id === all[0] || elapsed >= 45_000 ? completed(id) : running(id))
    const { run, gets, lists, log } = setup(all, plan)
    const result = await run()
    expect(result.results.every(r => r.outcome === 'completed')).toBe(true)
    expect(lists()).toHaveLength(1)
    expect(gets()).toHaveLength(2 * (LIST_FROM_BATCHES - 1))
    expect(log.text('debug')).toContain(`one GET per batch (${LIST_FROM_BATCHES - 1} waiting`)
  })

  it('ends a batch as no-output only when its own GET also has no output file', async () => {
    const all = ids(4)
    const noOutput = (id: string): BatchJob => ({ id, status: 'COMPLETED', progress: 100 })
    const { run, gets, lists } = setup(all, noOutput, { list: () => all.map(noOutput) })
    const result = await run({ timeoutMs: 0 })
    expect(lists()).toHaveLength(1)
    expect(gets()).toHaveLength(4)
    expect(result.results.every(r => r.outcome === 'no-output')).toBe(true)
  })

  it('ignores entries for batches not waited for, without a word about them', async () => {
    const all = ids(4)
    const strangers = ids(50, 'stranger').map(id => completed(id))
    const { run, log, gets } = setup(all, together(0), { list: () => [...strangers, ...all.map(completed)] })
    const result = await run()
    expect(result.done).toBe(true)
    expect(gets()).toHaveLength(0)
    expect(log.lines.filter(l => l.message.includes('stranger'))).toEqual([])
  })

  it('checks the due batches with their own GET when the list fails, and tries the list again next check', async () => {
    const failure = new TogetherError('GET /batches answered HTTP 500', { kind: 'http', status: 500 })
    const all = ids(8)
    const plan = together(45_000)
    const list: ListPlan = (elapsed, call) => (call === 1 ? failure : all.map(id => plan(id, elapsed) as BatchJob))
    const { run, lists, gets, log } = setup(all, plan, { list })
    const result = await run()
    expect(result.done).toBe(true)
    // The first check's 8 batches got their own GET; the next check read the list again.
    expect(gets()).toHaveLength(8)
    expect(lists()).toHaveLength(3)
    expect(lists()[1]!.at - gets()[7]!.at).toBeLessThanOrEqual(30_000)
    expect(log.text('debug')).toContain(
      'The batch list could not be used (GET /batches answered HTTP 500): the batches due are checked with their own GET.'
    )
  })

  it('skips the list for the poll interval after two failures in a row, doubling', async () => {
    const failure = new TogetherError('GET /batches answered HTTP 503', { kind: 'http', status: 503 })
    const { run, lists, log } = setup(ids(4), together(1e9), { list: () => failure })
    await run({ timeoutMs: 10 * 60_000, pollIntervalMs: 10_000 })
    const at = lists().map(c => c.at)
    const gaps = at.slice(1).map((t, i) => t - at[i]!)
    // Tried at the first two checks, then after 10 s, 20 s, 40 s... of checks with their own GET.
    expect(gaps[0]).toBeLessThanOrEqual(10_000 + 4 * 250)
    for (let i = 1; i < 5; i++) expect(gaps[i]).toBeGreaterThanOrEqual(10_000 * 2 ** (i - 1))
    expect(log.text('debug')).toContain('the list is skipped for 20s')
  })

  it('takes a list that holds none of the batches (null while they exist) as a failed one', async () => {
    const all = ids(5)
    const { run, gets, log } = setup(all, together(0), { list: () => [] })
    const result = await run({ timeoutMs: 0 })
    expect(result.results.every(r => r.outcome === 'completed')).toBe(true)
    expect(gets()).toHaveLength(5)
    expect(log.text('debug')).toContain('(it lists none of the 5 batches waited for)')
  })

  it(`checks batches on their own once a hanging list has kept them ${LIST_GRACE_MS / 1000}s`, async () => {
    const all = ids(4)
    const { run, lists, gets } = setup(all, together(0), { listLatency: Number.POSITIVE_INFINITY })
    const result = await run({ timeoutMs: 60_000 })
    expect(result.done).toBe(true)
    expect(lists()).toHaveLength(1)
    expect(gets().map(c => c.at - lists()[0]!.at)).toEqual([0, 250, 500, 750].map(ms => ms + LIST_GRACE_MS))
  })

  it('keeps what a batch checked on its own said over a slower list that answers later', async () => {
    const all = ids(4)
    const { run, lists, gets } = setup(all, together(0), { listLatency: LIST_GRACE_MS + 2000 })
    const result = await run({ timeoutMs: 0 })
    expect(lists()).toHaveLength(1)
    expect(gets()).toHaveLength(4)
    // Each batch was read once, by its own GET: the list that came after did not count again.
    expect(result.results.map(r => [r.outcome, r.requests])).toEqual(all.map(() => ['completed', 1]))
    // And once every batch had ended, the wait did not wait for it.
    expect(result.endedAt - result.startedAt).toBe(LIST_GRACE_MS + 750)
    expect(lists()[0]!.endedAt).toBe(result.endedAt)
  })

  it('holds every request after a 429 on the list for as long as Together asked', async () => {
    const limited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 20_000 })
    const { run, calls } = setup(ids(4), together(0), { list: () => limited })
    await run()
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(20_000)
  })

  it('requests the list when the earliest batch is due: a predicted finish is still caught at once', async () => {
    const all = ids(5)
    const finish = 200_000
    const plan: Plan = (id, elapsed) =>
      id !== all[0] ? running(id) : elapsed >= finish ? completed(id) : running(id, (elapsed / finish) * 100)
    const { run, start } = setup(all, plan)
    const result = await run({ timeoutMs: 10 * 60_000 })
    const first = result.results[0]!
    expect(first.outcome).toBe('completed')
    const seen = first.timeline.find(e => e.status === 'COMPLETED')!
    expect(start + seen.atMs - (start + finish)).toBeLessThanOrEqual(3000)
  })

  it('cancels each batch on its own after a timeout, all at once', async () => {
    const { run, calls } = setup(ids(6), together(1e9), { latency: 1000 })
    const result = await run({ timeoutMs: 90_000, cancelOnTimeout: true })
    const cancels = calls.filter(c => c.method === 'cancel')
    expect(cancels).toHaveLength(6)
    expect(new Set(cancels.map(c => c.at)).size).toBe(1)
    expect(result.results.every(r => r.cancel?.state === 'answered')).toBe(true)
  })

  it('gives up a list request out when the wait is aborted', async () => {
    const controller = new AbortController()
    const { run, loop, lists } = setup(ids(4), together(1e9), {
      listLatency: Number.POSITIVE_INFINITY,
      signal: controller.signal
    })
    loop.after(1000, () => controller.abort())
    const result = await run()
    expect(result.results.every(r => r.outcome === 'aborted')).toBe(true)
    expect(lists()[0]!.endedAt).toBe(lists()[0]!.at + 1000)
  })

  it('bounds the list request by the time left before the deadline', async () => {
    const { run, lists } = setup(ids(4), together(1e9))
    const result = await run({ timeoutMs: 45_000 })
    for (const call of lists()) expect(call.options?.timeoutMs).toBeLessThanOrEqual(result.startedAt + 45_000 - call.at)
    expect(result.results.every(r => r.outcome === 'timed-out')).toBe(true)
  })
})

// The list reader's decisions on their own: which batches wait for the list, and when they are due.
describe('ListReader', () => {
  const T0 = Date.UTC(2026, 0, 1)
  const POLL = 30_000

  /** A reader that can list, and `n` batches answered running at T0: due again at T0 + POLL. */
  function reader(n = 4) {
    const log = recordingLogger()
    const made = new ListReader(log, POLL, true)
    const options = {
      pollIntervalMs: POLL,
      timeoutMs: 600_000,
      checkOnce: false,
      named: true,
      lastCheckAt: T0 + 595_000
    }
    const trackers = ids(n).map(id => new BatchTracker(id, T0, log, options))
    for (const t of trackers) t.onAnswer(running(t.id), T0)
    return { reader: made, trackers, log }
  }
  const entries = (trackers: readonly BatchTracker[]): BatchJob[] => trackers.map(t => running(t.id, 20))
  const always = (): boolean => true

  it('makes a batch the list cannot decide due at once, but keeps the pause of one re-checked for its output file', () => {
    const { reader: list, trackers } = reader()
    const [missing, noFile, ...listed] = trackers as [BatchTracker, BatchTracker, ...BatchTracker[]]
    noFile.onAnswer({ id: noFile.id, status: 'COMPLETED' }, T0)
    expect(noFile.dueAt).toBe(T0 + 5000)
    list.answered(entries(listed), trackers, always, T0 + 1000, T0 + 1000)
    expect(missing.dueAt).toBe(T0 + 1000)
    expect(noFile.dueAt).toBe(T0 + 5000)
    expect(listed.every(t => t.dueAt === T0 + 1000 + POLL)).toBe(true)
  })

  it('wants the list when one batch due can be read from it, though others due need their own GET', () => {
    const { reader: list, trackers } = reader()
    const [missing, ...listed] = trackers as [BatchTracker, ...BatchTracker[]]
    list.answered(entries(listed), trackers, always, T0 + 1000, T0 + 1000)
    expect(list.wanted([missing], trackers.length, T0 + 1000)).toBe(false)
    expect(list.wanted([missing, listed[0]!], trackers.length, T0 + 1000 + POLL)).toBe(true)
  })

  it('leaves the batches due when the list failed to their own GET, and wants the list for one due since', () => {
    const { reader: list, trackers } = reader()
    const [dueAtFailure, checked] = trackers as [BatchTracker, BatchTracker]
    list.failed('HTTP 500', T0 + POLL)
    checked.onAnswer(running(checked.id), T0 + POLL)
    expect(list.wanted([dueAtFailure], trackers.length, T0 + 2 * POLL)).toBe(false)
    expect(list.wanted([dueAtFailure, checked], trackers.length, T0 + 2 * POLL)).toBe(true)
  })

  it('tries the list again as soon as the skip after failures in a row is over', () => {
    const { reader: list, trackers } = reader()
    list.failed('HTTP 500', T0 - 1000)
    list.failed('HTTP 500', T0 - 500)
    const due = [trackers[0]!]
    expect(list.wanted(due, trackers.length, T0 - 500 + POLL - 1)).toBe(false)
    expect(list.wanted(due, trackers.length, T0 - 500 + POLL)).toBe(true)
  })

  it('holds a batch for the next list once a list has read it, after one that missed it', () => {
    const { reader: list, trackers } = reader()
    const [missing, ...listed] = trackers as [BatchTracker, ...BatchTracker[]]
    list.answered(entries(listed), trackers, always, T0 + 1000, T0 + 1000)
    expect(list.holds(missing, T0 + 1000)).toBe(false)
    list.answered(entries(trackers), trackers, always, T0 + 2000, T0 + 2000)
    list.started(new AbortController(), T0 + 3000)
    expect(list.holds(missing, T0 + 3000)).toBe(true)
  })

  it('does not count a list answered once no batch waits as a failed one', () => {
    const { reader: list, trackers, log } = reader()
    list.answered(entries(trackers), [], always, T0 + 1000, T0 + 1000)
    expect(log.text('debug')).not.toContain('could not be used')
    expect(list.wanted([trackers[0]!], trackers.length, T0 + 1000)).toBe(true)
  })
})
