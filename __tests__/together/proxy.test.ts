import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { connect } from 'node:net'
import { Agent, EnvHttpProxyAgent } from 'undici'
import { defaultDispatcher, parseProxyEnv } from '../../src/together/proxy.js'
import { client, listen, withServer } from './loopback.js'

const dispatchers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  jest.restoreAllMocks()
  await Promise.all(dispatchers.splice(0).map(d => d.close()))
})

/** The message of what `fn` throws; fails the test when it throws nothing or a non-Error. */
function thrownMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (error instanceof Error) return error.message
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error })
  }
  throw new Error('threw nothing')
}

describe('defaultDispatcher', () => {
  // First in the file: undici warns once per process, so a later test could not see it.
  it('builds a proxy agent without undici printing its experimental warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const dispatcher = defaultDispatcher({ httpsProxy: 'http://proxy.test:3128' })
    dispatchers.push(dispatcher)
    expect(dispatcher).toBeInstanceOf(EnvHttpProxyAgent)
    expect(warn).not.toHaveBeenCalled()
    expect(process.emitWarning).toBe(warn)
    process.emitWarning('other', { code: 'OTHER' })
    expect(warn).toHaveBeenCalledTimes(1)
  })

  it('connects directly without proxies, and never reads process.env itself', () => {
    jest.replaceProperty(process, 'env', { ...process.env, HTTPS_PROXY: 'not a proxy', HTTP_PROXY: ':' })
    const dispatcher = defaultDispatcher({})
    dispatchers.push(dispatcher)
    expect(dispatcher).toBeInstanceOf(Agent)
  })
})

describe('parseProxyEnv', () => {
  it.each([
    [{}, {}],
    [{ HTTPS_PROXY: 'http://proxy.example:3128' }, { httpsProxy: 'http://proxy.example:3128' }],
    [{ https_proxy: 'proxy.example:3128' }, { httpsProxy: 'http://proxy.example:3128' }],
    [{ HTTP_PROXY: '10.0.0.1:8080' }, { httpProxy: 'http://10.0.0.1:8080' }],
    [{ HTTP_PROXY: 'localhost:3128' }, { httpProxy: 'http://localhost:3128' }],
    [{ HTTP_PROXY: 'user:p%40ss@proxy:3128' }, { httpProxy: 'http://user:p%40ss@proxy:3128' }],
    [{ HTTPS_PROXY: 'https://proxy.example' }, { httpsProxy: 'https://proxy.example' }],
    [{ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' }, { httpsProxy: 'http://lower:1' }],
    [{ https_proxy: '', HTTPS_PROXY: 'http://upper:1' }, { httpsProxy: 'http://upper:1' }],
    [{ HTTP_PROXY: '  ' }, {}],
    [{ NO_PROXY: 'a.test, .b.test', no_proxy: '' }, { noProxy: 'a.test, .b.test' }],
    [{ no_proxy: '*' }, { noProxy: '*' }]
  ])('reads %j as %j', (env, settings) => {
    expect(parseProxyEnv(env)).toEqual(settings)
  })

  it.each([
    ['HTTPS_PROXY', 'socks5://proxy:1080', 'socks5://proxy:1080'],
    ['https_proxy', 'http://', 'http://'],
    ['HTTP_PROXY', 'http://user:hunter2@proxy:99999', 'http://***@proxy:99999'],
    ['HTTP_PROXY', 'ftp://user:hunter2@proxy', 'ftp://***@proxy'],
    ['HTTP_PROXY', 'me:hunter2@', '***@'],
    ['HTTP_PROXY', 'proxy\n::error::x', 'proxy\\n::error::x']
  ])('refuses %s=%j, naming the variable, never its credentials', (name, value, shown) => {
    const message = thrownMessage(() => parseProxyEnv({ [name]: value }))
    expect(message).toBe(`Invalid ${name} '${shown}': expected a proxy URL such as http://proxy.example:3128.`)
    expect(message).not.toContain('hunter2')
  })
})

describe('requests through a proxy', () => {
  /** A loopback CONNECT proxy that records the tunnels it opened. */
  async function connectProxy() {
    const tunnels: string[] = []
    const { server, url } = await listen((_req, res) => res.writeHead(405).end())
    server.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '')
      const [host, port] = (req.url ?? '').split(':')
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket).pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    return { tunnels, address: url.replace('http://', ''), server }
  }

  it('goes through a scheme-less HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const proxy = await connectProxy()
    try {
      await withServer(
        (_req, res) => res.end(JSON.stringify({ id: 'b1', status: 'COMPLETED' })),
        async baseUrl => {
          const proxied = parseProxyEnv({ HTTP_PROXY: proxy.address })
          expect((await client({ baseUrl, proxy: proxied }).getBatch('b1')).status).toBe('COMPLETED')
          expect(proxy.tunnels).toEqual([new URL(baseUrl).host])
          const bypass = { ...proxied, noProxy: '127.0.0.1' }
          expect((await client({ baseUrl, proxy: bypass }).getBatch('b1')).status).toBe('COMPLETED')
          expect(proxy.tunnels).toHaveLength(1)
        }
      )
    } finally {
      proxy.server.closeAllConnections()
      proxy.server.close()
    }
  })
})
