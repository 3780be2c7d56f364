import type { GitHubTarget } from './target.js'

/** One GitHub call may take this long; then it is abandoned. */
export const GITHUB_CALL_TIMEOUT_MS = 10_000

/** The part of Octokit the adapters use: plain REST requests and GraphQL queries. */
export interface GitHubClient {
  owner: string
  repo: string
  /** A REST call, bounded by the call timeout and the step's signal; resolves to the response's data. */
  request(route: string, params?: Record<string, unknown>): Promise<unknown>
  /** A GraphQL query, bounded the same way. */
  graphql(query: string, variables: Record<string, unknown>): Promise<unknown>
}

/** Splits GITHUB_REPOSITORY; throws when it is not `owner/repo`. */
function ownerRepo(target: GitHubTarget, what: string): [string, string] {
  const [owner, repo, ...rest] = target.repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(`GITHUB_REPOSITORY is not owner/repo, so ${what} (is this a workflow run?).`)
  }
  return [owner, repo]
}

/** A call that outlived its timeout, told apart from one GitHub refused. */
export class GitHubTimeout extends Error {}

/**
 * @actions/github, loaded only when GitHub is needed (it is a sixth of the bundle), with every call
 * bounded by `timeoutMs` and stopped when `signal` aborts.
 */
export async function createGitHubClient(
  target: GitHubTarget,
  token: string,
  signal: AbortSignal,
  what: string,
  timeoutMs = GITHUB_CALL_TIMEOUT_MS
): Promise<GitHubClient> {
  const [owner, repo] = ownerRepo(target, what)
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(token, { baseUrl: target.apiUrl.replace(/\/+$/, '') })
  const bounded = async <T>(call: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new Error('skipped, the step was cancelled')
    const timeout = AbortSignal.timeout(timeoutMs)
    try {
      return await call({ signal: AbortSignal.any([signal, timeout]) })
    } catch (error) {
      if (!timeout.aborted) throw error
      throw new GitHubTimeout(`GitHub did not answer within ${timeoutMs / 1000}s`, { cause: error })
    }
  }
  return {
    owner,
    repo,
    request: (route, params = {}) =>
      bounded(async request => (await octokit.request(route, { owner, repo, ...params, request })).data as unknown),
    graphql: (query, variables) => bounded(request => octokit.graphql(query, { ...variables, request }))
  }
}

/** The HTTP status of a failed call, when GitHub answered. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}
