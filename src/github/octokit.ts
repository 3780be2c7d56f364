import { redactJson } from '../sanitize/redact.js'
import type { GitHubTarget } from '../inputs/connection.js'
import { errorMessage } from '../util/text.js'

/** One GitHub call may take this long; then it is abandoned. */
const GITHUB_CALL_TIMEOUT_MS = 10_000
/** A call still allowed after a cancel has this long: SIGTERM follows the first signal by 7.5 s. */
const AFTER_CANCEL_TIMEOUT_MS = 1500

/** How one call is made. */
export interface CallOptions {
  /**
   * After the step was cancelled, this call still gets one brief try (`afterCancelMs`), whatever
   * became of earlier calls: the final commit status, as a status left pending blocks a branch for good.
   */
  afterCancel?: boolean
}

/** The part of Octokit the adapters use: plain REST requests and GraphQL queries. */
export interface GitHubClient {
  owner: string
  repo: string
  /** A REST call, bounded by the call timeout and the step's signal; resolves to the response's data. */
  request(route: string, params?: Record<string, unknown>, options?: CallOptions): Promise<unknown>
  /** A GraphQL query, bounded the same way. */
  graphql(query: string, variables: Record<string, unknown>): Promise<unknown>
  /** What every call applies to what it sends; for text an adapter cuts before sending it. */
  redact(text: string): string
}

/** Splits GITHUB_REPOSITORY; throws when it is not `owner/repo`. */
function ownerRepo(target: GitHubTarget, what: string): [string, string] {
  const [owner, repo, ...rest] = target.repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(`GITHUB_REPOSITORY is not owner/repo, so ${what} (is this a workflow run?).`)
  }
  return [owner, repo]
}

export interface GitHubClientOptions {
  /** One call's bound (default 10 s). */
  timeoutMs?: number
  /** The bound of a call made after the cancel with `afterCancel` (default 1.5 s). */
  afterCancelMs?: number
  /** Applied to every string a call sends and to the message of every failure: secrets stay out. */
  redact?: (text: string) => string
}

/** A failure whose message held a secret, redacted, keeping the HTTP status the callers branch on. */
function redactedError(error: unknown, redact: (text: string) => string): unknown {
  const message = errorMessage(error)
  const clean = redact(message)
  return clean === message ? error : Object.assign(new Error(clean), { status: httpStatus(error) })
}

/**
 * Once a call has gone unanswered, the calls after it are skipped at once: each would cost the whole
 * timeout again, and the step's own work matters more. After the cancel, only `afterCancel` calls go
 * out, with the short bound and a breaker of their own.
 */
function breaker(signal: AbortSignal, timeoutMs: number, afterCancelMs: number, redact: (text: string) => string) {
  const unanswered = { running: false, afterCancel: false }
  return async <T>(call: (request: { signal: AbortSignal }) => Promise<T>, options: CallOptions = {}): Promise<T> => {
    const late = signal.aborted
    if (late && !options.afterCancel) throw new Error('skipped, the step was cancelled')
    const phase = late ? 'afterCancel' : 'running'
    const ms = late ? afterCancelMs : timeoutMs
    if (unanswered[phase]) throw new Error(`skipped, GitHub did not answer a previous call within ${ms / 1000}s`)
    const timeout = AbortSignal.timeout(ms)
    try {
      // After the cancel, the step's signal has fired already: only the short bound stops the call.
      return await call({ signal: late ? timeout : AbortSignal.any([signal, timeout]) })
    } catch (error) {
      if (!timeout.aborted) throw redactedError(error, redact)
      unanswered[phase] = true
      throw new Error(`GitHub did not answer within ${ms / 1000}s`, { cause: error })
    }
  }
}

/**
 * The run's one GitHub client. @actions/github is loaded only when GitHub is needed (it is a sixth of
 * the bundle). Every call is bounded by `timeoutMs` and stopped when `signal` aborts; one breaker for
 * every call of the run (see `breaker`). What is sent and what failures say pass through `redact`.
 */
export async function createGitHubClient(
  target: GitHubTarget,
  token: string,
  signal: AbortSignal,
  what: string,
  options: GitHubClientOptions = {}
): Promise<GitHubClient> {
  const { timeoutMs = GITHUB_CALL_TIMEOUT_MS, afterCancelMs = AFTER_CANCEL_TIMEOUT_MS } = options
  const { redact = (text: string) => text } = options
  const [owner, repo] = ownerRepo(target, what)
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(token, { baseUrl: target.apiUrl.replace(/\/+$/, '') })
  const bounded = breaker(signal, timeoutMs, afterCancelMs, redact)
  const clean = (params: Record<string, unknown>) => redactJson(params, redact) as Record<string, unknown>
  return {
    owner,
    repo,
    redact,
    request: (route, params = {}, call) =>
      bounded(
        async request => (await octokit.request(route, { owner, repo, ...clean(params), request })).data as unknown,
        call
      ),
    graphql: (query, variables) => bounded(request => octokit.graphql(query, { ...clean(variables), request }))
  }
}

/** A refusal (HTTP 403) retold with the permission the job needs, the refusal kept as its cause. */
export const refusal = (error: unknown, permission: string): Error =>
  new Error(`${errorMessage(error)}. Give the job ${permission} (and check github-token).`, { cause: error })

/** A commit or blob SHA as GitHub gives one: 40 hex digits. */
export const isSha = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{40}$/i.test(value)

/** A pull request number as GitHub gives one: a positive safe integer. */
export const isPullRequest = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0

/** The HTTP status of a failed call, when GitHub answered. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}
