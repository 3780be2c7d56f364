import { afterEach, jest } from '@jest/globals'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { TogetherClient, type TogetherClientOptions } from '../../src/together/client.js'

export const KEY = 'tk-loopback-secret'

const clients: TogetherClient[] = []

/** A client that is closed after the test; no proxy from the environment unless one is passed. */
export function client(options: Partial<TogetherClientOptions> = {}): TogetherClient {
  const api = new TogetherClient({ apiKey: KEY, baseUrl: 'https://api.together.test/v1', proxy: {}, ...options })
  clients.push(api)
  return api
}

afterEach(async () => {
  nock.cleanAll()
  await Promise.all(clients.splice(0).map(c => c.close()))
})

export async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Runs `test` against a real loopback server: what flaky gateways and slow storage do on the wire. */
export async function withServer(handler: RequestListener, test: (baseUrl: string) => Promise<void>): Promise<void> {
  nock.enableNetConnect('127.0.0.1')
  const { server, url } = await listen(handler)
  try {
    await test(`${url}/v1`)
  } finally {
    server.closeAllConnections()
    server.close()
    nock.disableNetConnect()
  }
}

/**
 * Runs `run` and returns how many timers it started that still hold the process open afterwards
 * (neither fired nor cleared, and not unref'd): a request must leave none behind, however it ends.
 */
export async function timersLeftBy(run: () => Promise<unknown>): Promise<number> {
  const started = new Set<NodeJS.Timeout>()
  const realSet = globalThis.setTimeout
  const setSpy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    const timer: NodeJS.Timeout = realSet(
      (...a: unknown[]) => {
        started.delete(timer)
        callback(...a)
      },
      ms,
      ...args
    )
    started.add(timer)
    return timer
  }) as typeof setTimeout)
  const realClear = globalThis.clearTimeout
  const clearSpy = jest.spyOn(globalThis, 'clearTimeout').mockImplementation(timer => {
    started.delete(timer as NodeJS.Timeout)
    realClear(timer)
  })
  try {
    await run()
  } finally {
    setSpy.mockRestore()
    clearSpy.mockRestore()
  }
  return [...started].filter(timer => timer.hasRef()).length
}
