import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { isRecord, parseJson } from '../../src/util/json.js'

/** One request the GitHub stand-in received. */
interface GitHubRequest {
  method: string
  /** Path without the query. */
  path: string
  query: string
  body: unknown
  /** Real ms since the server started. */
  at: number
  /** 0 for a request left unanswered (a `hang` fault). */
  status: number
  /** The Authorization header, as sent. */
  authorization?: string
}

interface CommitStatus {
  sha: string
  state: string
  context: string
  description: string
  target_url: string
}

interface GitHubUser {
  login: string
  type: 'Bot' | 'User'
}

/**
 * Answers the `times` next requests matching `method` and `path` (a RegExp on the path) with `status`;
 * `hang` never answers (the request is logged with status 0, its connection closed with the stand-in).
 */
interface GitHubFault {
  method: string
  path: RegExp
  status: number | 'hang'
  times: number
}

export interface GitHubSim {
  /** The GITHUB_API_URL to give the action. */
  apiUrl: string
  requests: GitHubRequest[]
  statuses: CommitStatus[]
  /** The ledger branch's files: path → text. Undefined while the branch does not exist. */
  files(): Map<string, string> | undefined
  /** Writes a file on the branch (creating it), as a push would. */
  seed(path: string, text: string): void
  faults: GitHubFault[]
  /** Pull request comments, in the order created; `user` is who wrote one (the viewer, for the action's). */
  comments: { id: number; issue: number; body: string; user?: GitHubUser }[]
  /** Who the token is: what GET /user answers, and the author of the comments the action creates. */
  viewer: GitHubUser
  /** The pull requests GET /commits/{sha}/pulls lists for a commit, as GitHub shapes them. */
  pulls: Map<string, { number: number; state: string; head: { sha: string } }[]>
  close(): Promise<void>
}

const blobSha = (text: string): string =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest('hex')

/**
 * A stand-in for the GitHub REST and GraphQL routes the action uses, for one repository `owner/repo`
 * and one ledger branch: commit statuses, the contents API (with the SHA checks that make concurrent
 * writers safe), refs, trees and commits for creating the branch, and the GraphQL folder query.
 */
export async function startGitHubSim(repository = 'octo/repo', branch = 'together-batches'): Promise<GitHubSim> {
  const started = Date.now()
  let files: Map<string, { text: string; sha: string }> | undefined
  const requests: GitHubRequest[] = []
  const statuses: CommitStatus[] = []
  const faults: GitHubFault[] = []
  const comments: GitHubSim['comments'] = []
  const repoPrefix = `/repos/${repository}`
  let counter = 0

  const handle = (
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>
  ): [number | 'hang', unknown] => {
    const fault = faults.find(f => f.times > 0 && f.method === method && f.path.test(path))
    if (fault) {
      fault.times--
      return [fault.status, { message: 'Injected fault' }]
    }
    if (method === 'POST' && path === '/graphql') {
      const vars = (body.variables ?? {}) as Record<string, unknown>
      if (`${String(vars.owner)}/${String(vars.repo)}` !== repository) return [200, { data: { repository: null } }]
      const folder = `${String(vars.expression).split(':')[1] ?? ''}/`
      const entries = [...(files ?? new Map<string, { text: string; sha: string }>()).entries()]
        .filter(([p]) => p.startsWith(folder))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([p, f]) => ({
          name: p.slice(folder.length),
          type: 'blob',
          oid: f.sha,
          object: { text: f.text, isTruncated: false }
        }))
      const exists = files !== undefined && String(vars.expression).startsWith(`${branch}:`) && entries.length > 0
      return [200, { data: { repository: { object: exists ? { entries } : null } } }]
    }
    if (method === 'GET' && path === '/user') return [200, sim.viewer]
    if (!path.startsWith(repoPrefix)) return [404, { message: 'Not Found' }]
    const route = path.slice(repoPrefix.length)
    const status = /^\/statuses\/([0-9a-f]{40})$/.exec(route)
    if (method === 'POST' && status) {
      statuses.push({ sha: status[1]!, ...(body as Omit<CommitStatus, 'sha'>) })
      return [201, {}]
    }
    const pulls = /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(route)
    if (method === 'GET' && pulls) return [200, sim.pulls.get(pulls[1]!) ?? []]
    const listed = /^\/commits\/([0-9a-f]{40})\/statuses$/.exec(route)
    if (method === 'GET' && listed) {
      // Newest first, in pages, as GitHub lists them.
      const size = Number(query.get('per_page') ?? 30)
      const page = Number(query.get('page') ?? 1)
      const all = statuses.filter(s => s.sha === listed[1]).reverse()
      return [200, all.slice((page - 1) * size, page * size)]
    }
    if (method === 'POST' && (route === '/git/trees' || route === '/git/commits'))
      return [201, { sha: blobSha(String(++counter)) }]
    if (method === 'POST' && route === '/git/refs') {
      if (body.ref !== `refs/heads/${branch}`) return [422, { message: 'unexpected ref' }]
      if (files) return [422, { message: 'Reference already exists' }]
      files = new Map()
      return [201, {}]
    }
    const issue = /^\/issues\/(\d+)\/comments$/.exec(route)
    if (issue && method === 'GET') {
      const page = Number(query.get('page') ?? 1)
      const size = Number(query.get('per_page') ?? 30)
      return [200, comments.filter(c => c.issue === Number(issue[1])).slice((page - 1) * size, page * size)]
    }
    if (issue && method === 'POST') {
      comments.push({
        id: Math.max(0, ...comments.map(c => c.id)) + 1,
        issue: Number(issue[1]),
        body: String(body.body),
        user: sim.viewer
      })
      return [201, comments.at(-1)]
    }
    const edited = comments.find(c => route === `/issues/comments/${c.id}`)
    if (edited && method === 'PATCH') {
      edited.body = String(body.body)
      return [200, edited]
    }
    const content = /^\/contents\/(.+)$/.exec(route)
    if (!content) return [404, { message: 'Not Found' }]
    const file = content[1]!
    const ref = method === 'GET' ? query.get('ref') : body.branch
    if (ref !== branch || !files) return [404, { message: `Branch ${String(ref)} not found` }]
    const current = files.get(file)
    if (method === 'GET')
      return current
        ? [200, { sha: current.sha, content: Buffer.from(current.text).toString('base64') }]
        : [404, { message: 'Not Found' }]
    if (method === 'PUT') {
      if (current && body.sha === undefined) return [422, { message: '"sha" wasn\'t supplied.' }]
      if (current ? body.sha !== current.sha : body.sha !== undefined) return [409, { message: 'does not match' }]
      const text = Buffer.from(String(body.content), 'base64').toString('utf8')
      files.set(file, { text, sha: blobSha(text) })
      return [current ? 200 : 201, { content: { sha: blobSha(text) } }]
    }
    if (method === 'DELETE') {
      if (!current) return [404, { message: 'Not Found' }]
      if (body.sha !== current.sha) return [409, { message: 'does not match' }]
      files.delete(file)
      return [200, {}]
    }
    return [404, { message: 'Not Found' }]
  }

  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname === '/_sim/requests') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests))
        return
      }
      // A body that is not a JSON object is logged as is and answered as a request without one.
      const parsed = parseJson(raw)
      const body = isRecord(parsed) ? parsed : {}
      const [code, answer] = handle(req.method ?? 'GET', url.pathname, url.searchParams, body)
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search,
        body,
        at: Date.now() - started,
        status: code === 'hang' ? 0 : code,
        authorization: req.headers.authorization
      })
      if (code !== 'hang') res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const sim: GitHubSim = {
    apiUrl: `http://127.0.0.1:${port}`,
    requests,
    statuses,
    faults,
    comments,
    viewer: { login: 'github-actions[bot]', type: 'Bot' },
    pulls: new Map(),
    files: () => (files ? new Map([...files].map(([p, f]) => [p, f.text])) : undefined),
    seed(path, text) {
      files ??= new Map()
      files.set(path, { text, sha: blobSha(text) })
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  }
  return sim
}
