import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { batchAt, type SimBatch } from './state.js'
import { fileContent, loadScenarios, type FaultTarget, type Scenario } from './scenario.js'
import { createBatch } from './create.js'
import { faultFor, inject, send } from './faults.js'
import { scenarioFileObject, startFileRoutes, type UploadedFile } from './files.js'
import { listed, listFault, pastBatches } from './list.js'
import type { StorageRequest } from './storage.js'

export interface SimulatorOptions {
  /** Scenarios to serve; the shipped ones by default. */
  scenarios?: Scenario[]
  /** The API key the simulator accepts. */
  apiKey?: string
  /** Scenario seconds per real second: 10 runs a 15 s scenario in 1.5 s. */
  speed?: number
  port?: number
  host?: string
  /** Clock, for tests of the simulator itself. */
  now?: () => number
  /** The body of `GET /v1/models`; the shipped list (tools/simulator/models.json) by default. */
  models?: unknown
  /** The scenario a batch created from an uploaded file plays (default `completes`). */
  createScenario?: string
  /** False: `POST /v1/files` answers 404, as a server without the signed-URL flow, so uploads are multipart. */
  signedUploads?: boolean
  /** Finished batches of the account's past, listed after the scenarios' (a busy account: 6,000). */
  pastBatches?: number
}

/** One request the simulator received, for tests to assert how the action behaved. */
export interface LoggedRequest {
  method: string
  path: string
  /** Real ms since the simulator started. */
  at: number
  batchId?: string
  /** Whether the Authorization header carried the right key. */
  auth: 'ok' | 'missing' | 'wrong'
  userAgent?: string
  /** The fault injected into this request, if any. */
  fault?: string
  /** Which connection carried it (1, 2, ...): the same number again means a kept-alive connection. */
  connection: number
}

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234/v1` */
  baseUrl: string
  apiKey: string
  /** Epoch ms the simulator started; `LoggedRequest.at` counts from here. */
  startedAt: number
  requests: LoggedRequest[]
  /** The storage origin of signed uploads (another port), and what it received. */
  storageOrigin: string
  storageRequests: StorageRequest[]
  /** Files uploaded to the simulator, by ID: name, size, SHA-256 of the bytes received. */
  uploads: Map<string, UploadedFile>
  close(): Promise<void>
}

const DEFAULT_API_KEY = 'sim-key'

/** Model objects as the live `GET /v1/models` answers them: a bare array, each with its list prices. */
const SHIPPED_MODELS: unknown = JSON.parse(readFileSync(new URL('models.json', import.meta.url), 'utf8'))

/**
 * A stand-in for Together's batch API on loopback: batches follow their scenario's timeline in
 * (optionally accelerated) time from the moment they are created or first asked about, cancels go
 * through CANCELING to CANCELLED, files are served as JSONL, and scenario faults are injected.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY
  const speed = options.speed ?? 1
  const now = options.now ?? Date.now
  const bootAt = now()
  const batches = new Map<string, SimBatch>()
  const files = new Map<string, { scenario: Scenario; id: string }>()
  const scenarios = options.scenarios ?? loadScenarios()
  const byName = new Map(scenarios.map(s => [s.name, s]))
  let modelRequests = 0
  let listRequests = 0
  const past = pastBatches(options.pastBatches ?? 0, bootAt)
  for (const scenario of scenarios) {
    const id = String(scenario.batch.id)
    batches.set(id, { id, scenario, counts: {} })
    for (const fileId of Object.keys(scenario.files ?? {})) files.set(fileId, { scenario, id: fileId })
  }
  const createScenario = options.createScenario ?? 'completes'
  const uploads = await startFileRoutes({ apiKey, signedUploads: options.signedUploads ?? true, now })
  const requests: LoggedRequest[] = []
  const sockets = new Set<Socket>()
  const connectionIds = new WeakMap<Socket, number>()
  let connections = 0

  const secondsOf = (batch: SimBatch): number => {
    batch.startedAt ??= now()
    return ((now() - batch.startedAt) / 1000) * speed
  }
  const view = (batch: SimBatch): Record<string, unknown> => batchAt(batch, secondsOf(batch), batch.startedAt!, speed)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const method = req.method ?? 'GET'
    const auth = req.headers.authorization
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      at: now() - bootAt,
      auth: auth === undefined ? 'missing' : auth === `Bearer ${apiKey}` ? 'ok' : 'wrong',
      userAgent: req.headers['user-agent'],
      connection: connectionIds.get(req.socket) ?? 0
    }
    if (url.pathname === '/_sim/requests') {
      send(res, 200, requests)
      return
    }
    requests.push(entry)
    if (entry.auth !== 'ok') {
      send(res, 401, {
        error: {
          message: 'Invalid API key provided. You can find your API key at api.together.ai.',
          type: 'invalid_request_error'
        }
      })
      return
    }

    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    if (parts[0] !== 'v1') {
      send(res, 404, { error: `no route ${method} ${url.pathname}` })
      return
    }
    const [, resource, id, action] = parts

    if (resource === 'batches' && id === undefined && method === 'GET') {
      // Every batch of the account, newest first, not paginated; null when there is none. Listing a
      // batch starts its clock, as any request about it does.
      const count = ++listRequests
      const all = (): unknown => {
        const shown = [...batches.values()].reverse().filter(b => listed(b, count))
        return shown.length + past.length === 0 ? null : [...shown.map(view), ...past]
      }
      const fault = listFault(scenarios, count)
      if (fault) {
        entry.fault = fault.type === 'status' ? `status ${fault.status ?? 500}` : fault.type
        return inject(fault, req, res, all)
      }
      send(res, 200, all())
      return
    }
    if (resource === 'models' && id === undefined && method === 'GET') {
      // Any scenario may break this endpoint: `GET /v1/models` belongs to no batch.
      const count = ++modelRequests
      const faults = scenarios.flatMap(s => s.faults ?? []).filter(f => f.on === 'models')
      const fault = faultFor(faults, 'models', count)
      if (fault) {
        entry.fault = fault.type === 'status' ? `status ${fault.status ?? 500}` : fault.type
        return inject(fault, req, res, () => options.models ?? SHIPPED_MODELS)
      }
      send(res, 200, options.models ?? SHIPPED_MODELS)
      return
    }
    if (resource === 'batches' && id === undefined && method === 'POST') {
      const fileExists = (fileId: string): boolean => files.has(fileId) || !!uploads.uploads.get(fileId)?.processed
      const context = { scenarios: byName, batches, createScenario, fileExists, now, view }
      return createBatch(context, req, res, entry)
    }
    if (resource === 'files' && id === undefined && method === 'GET') {
      const listed = [...files.entries()].map(([fileId, { scenario }]) =>
        scenarioFileObject(fileId, scenario.files![fileId]!, bootAt)
      )
      send(res, 200, { object: 'list', data: [...listed, ...uploads.list()] })
      return
    }
    if (resource === 'files' && uploads.handle(req, res, { method, id, action })) return

    const fileEntry = resource === 'files' && id !== undefined ? files.get(id) : undefined
    const batch = resource === 'batches' && id !== undefined ? batches.get(id) : undefined
    const kind: FaultTarget | undefined =
      resource === 'files'
        ? 'file'
        : action === 'cancel' && method === 'POST'
          ? 'cancel'
          : !action && method === 'GET'
            ? 'get'
            : undefined
    const owner = batch ?? (fileEntry ? batches.get(String(fileEntry.scenario.batch.id)) : undefined)
    if (owner && kind) {
      entry.batchId = owner.id
      const count = (owner.counts[kind] = (owner.counts[kind] ?? 0) + 1)
      const fault = faultFor(owner.scenario.faults, kind, count)
      if (fault) {
        entry.fault = fault.type === 'status' ? `status ${fault.status ?? 500}` : fault.type
        const normal = (): unknown => (kind === 'get' ? view(owner) : { error: 'fault' })
        return inject(fault, req, res, normal)
      }
    }

    if (resource === 'batches' && kind === 'get') {
      if (batch) send(res, 200, view(batch))
      else send(res, 404, { error: `batch ${id ?? ''} not found` })
      return
    }
    if (resource === 'batches' && kind === 'cancel') {
      if (!batch) {
        send(res, 404, { error: `batch ${id ?? ''} not found` })
        return
      }
      const t = secondsOf(batch)
      const current = view(batch)
      if (!['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'].includes(String(current.status))) batch.cancelAt ??= t
      send(res, 200, view(batch))
      return
    }
    if (fileEntry && id) {
      const file = fileEntry.scenario.files![id]!
      const content = fileContent(file)
      if (action === 'content') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(content) })
        res.end(content)
        return
      }
      if (!action) {
        send(res, 200, scenarioFileObject(id, file, bootAt))
        return
      }
    }
    send(res, 404, { error: { message: `no route ${method} ${url.pathname}` } })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: String(error) } })
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    connectionIds.set(socket, ++connections)
    socket.on('close', () => sockets.delete(socket))
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>(resolve => server.listen(options.port ?? 0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://${host}:${port}/v1`,
    apiKey,
    startedAt: bootAt,
    requests,
    storageOrigin: uploads.storageOrigin,
    storageRequests: uploads.storageRequests,
    uploads: uploads.uploads,
    close: async () => {
      await uploads.close()
      await new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
    }
  }
}
