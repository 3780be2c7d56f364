import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  apiKey,
  baseUrl,
  githubTarget,
  githubToken,
  ledgerBranch,
  withoutApiKey,
  type GitHubTarget
} from './inputs/connection.js'
import {
  boolean,
  choice,
  InputError,
  MODES,
  parsed,
  withDefaults,
  type InputReader,
  type Mode
} from './inputs/reader.js'
import { submitRequest } from './inputs/submit.js'
import { duration, hostedLimitWarnings, timeout } from './inputs/timing.js'
import type { SubmitRequest } from './submit/submit-from-file.js'
import { parseProxyEnv, type ProxySettings } from './together/proxy.js'
import { describeBadId, isPlainId } from './together/ids.js'
import { parsePolicy, type Policy } from './verdict/policy.js'
import { parseInputFile, type InputFile } from './result-files/input-file.js'

/** Everything the action was asked to do, parsed and validated once, before any request. */

export interface Settings {
  /** `wait` (the default), `track` (record unfinished batches in the ledger) or `report` (report them). */
  mode: Mode
  /**
   * In input order, duplicates removed; at least one, except with mode `report` and with `submit`
   * (none: the submitted batch is put here before the wait).
   */
  batchIds: string[]
  /** No `batch-id` but an `input-file` (modes `wait` and `track`): submit it, then wait for its batch. */
  submit?: SubmitRequest
  /** '' only when `skipReason` is set. */
  apiKey: string
  /**
   * No API key and `if-no-api-key: skip`: the one line that says the step passes without checking
   * anything (runs from forks and Dependabot get no secrets).
   */
  skipReason?: string
  /** What the log should warn about the inputs before the step starts (a timeout past the hosted-job limit). */
  warnings: string[]
  /** Without trailing slash. */
  baseUrl: string
  /** 0: check each batch once. */
  timeoutMs: number
  pollIntervalMs: number
  /** How each batch is judged: `fail-on`, `max-failed-requests`, `max-cost` and `batch-discount`. */
  policy: Policy
  cancelOnTimeout: boolean
  cancelOnAbort: boolean
  /** Where to download result files; '' when not asked. */
  downloadDir: string
  /** `input-file`, when set: failed requests are annotated on its lines (and it is submitted: see `submit`). */
  inputFile?: InputFile
  /** Commit status context name; '' for no commit status. */
  commitStatus: string
  /** `pr-comment`: keep one comment per pull request and step up to date. */
  prComment: boolean
  /** Branch holding the ledger of tracked batches (modes `track` and `report`). */
  ledgerBranch: string
  /** Mode `report` reports a batch still running after this long as forgotten. */
  forgetAfterMs: number
  githubToken: string
  /** Where result files go when `download-dir` is empty: the runner's temp directory. */
  resultsDir: string
  /** Whether the runner gave us a step summary file (GITHUB_STEP_SUMMARY). */
  summaryAvailable: boolean
  github: GitHubTarget
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, validated (a value without a scheme is read as http://). */
  proxy: ProxySettings
}

/**
 * Several ids may be given, separated by newlines, commas or spaces; duplicates are dropped, order kept.
 * None is allowed with an `input-file` to submit.
 */
function batchIds(read: InputReader, mode: Mode, inputFile: InputFile | undefined): string[] {
  if (mode === 'report') {
    if (read('batch-id').trim()) {
      throw new InputError(
        "Input 'batch-id' is set with mode: report, which reports the batches in the ledger. Expected no batch-id."
      )
    }
    return []
  }
  const ids = [
    ...new Set(
      read('batch-id')
        .split(/[\s,]+/)
        .filter(Boolean)
    )
  ]
  if (ids.length === 0 && inputFile === undefined) {
    throw new InputError(
      "Input 'batch-id' is empty. Expected the ID of a Together batch (or several, separated by newlines, commas or spaces), or an input-file to submit."
    )
  }
  for (const id of ids) {
    if (!isPlainId(id)) {
      throw new InputError(
        `Invalid batch-id ${describeBadId(id)}. Expected a Together batch ID: letters, digits, '-', '_' or '.', with no '/', '?', '#', '%', '..' or control characters, and not '.' alone.`
      )
    }
  }
  return ids
}

/**
 * Turns the raw inputs into `Settings`. Defaults come from action.yml (the runner fills them in, and
 * an input given as '' reads as its default: see inputs/reader.ts); this module adds only the
 * documented fallbacks: environment variables for `api-key` and `base-url`, and the working
 * directory for the workspace when GITHUB_WORKSPACE is unset.
 * Throws `InputError` for the first invalid input.
 */
export function parseSettings(raw: InputReader, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Settings {
  const read = withDefaults(raw)
  const stepMode = choice(read, 'mode', MODES, 'wait, track or report')
  const noKey = choice(read, 'if-no-api-key', ['fail', 'skip'], 'fail or skip')
  const key = apiKey(read, env)
  // Checked before batch-id: without the secret, the step that creates the batch gave no id either.
  const skipReason = key ? undefined : withoutApiKey(noKey)
  const inputFile = parsed(() => parseInputFile(read('input-file'), env.GITHUB_WORKSPACE?.trim() || cwd))
  const ids = skipReason !== undefined && !read('batch-id').trim() ? [] : batchIds(read, stepMode, inputFile)
  const submit = submitRequest(read, stepMode, ids, inputFile)
  const commitStatus = read('commit-status').trim()
  const prComment = boolean(read, 'pr-comment')
  const token = githubToken(read, stepMode, commitStatus, prComment)
  const tracking = stepMode !== 'wait'
  const timeoutMs = Math.round(timeout(read))
  return {
    mode: stepMode,
    batchIds: ids,
    ...(submit && { submit }),
    apiKey: key,
    ...(skipReason !== undefined && { skipReason }),
    warnings: hostedLimitWarnings(stepMode, timeoutMs, env),
    baseUrl: baseUrl(read, env),
    timeoutMs,
    pollIntervalMs: Math.round(duration(read, 'poll-interval', ms => ms >= 1000, 'at least 1s')),
    policy: parsed(() =>
      parsePolicy({
        // none fails on no status, on purpose; '' already reads as the default (see inputs/reader.ts).
        failOn: read('fail-on').trim().toLowerCase() === 'none' ? '' : read('fail-on'),
        maxFailedRequests: read('max-failed-requests'),
        maxCost: read('max-cost'),
        batchDiscount: read('batch-discount')
      })
    ),
    cancelOnTimeout: boolean(read, 'cancel-on-timeout'),
    cancelOnAbort: boolean(read, 'cancel-on-abort'),
    downloadDir: read('download-dir').trim(),
    inputFile,
    commitStatus,
    githubToken: token,
    prComment,
    ledgerBranch: tracking ? ledgerBranch(read) : read('ledger-branch').trim(),
    forgetAfterMs: tracking ? Math.round(duration(read, 'forget-after', ms => ms >= 3_600_000, 'at least 1h')) : 0,
    resultsDir: join(env.RUNNER_TEMP?.trim() || tmpdir(), 'together-batch-results'),
    summaryAvailable: Boolean(env.GITHUB_STEP_SUMMARY),
    github: githubTarget(env),
    proxy: parsed(() => parseProxyEnv(env))
  }
}
