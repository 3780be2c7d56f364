import { MAX_ANNOTATIONS, type Annotation } from '../result-files/annotations.js'
import { listFirst, oneLine, plural } from '../util/text.js'
import type { PreflightReport } from './preflight.js'
import { PROBLEM_LABELS, type ProblemKind } from './request-rules.js'

/** Models named one by one in a log line; the rest are counted. */
const NAMED_MODELS = 5

/** `512 bytes`, `12.3 KB`, `99.9 MB` (powers of ten, as Together's 100 MB limit is read). */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return plural(bytes, 'byte')
  return bytes < 1_000_000 ? `${(bytes / 1000).toFixed(1)} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`
}

/** `3 not JSON, 1 duplicate custom_id`, most frequent first. */
function kindList(counts: Partial<Record<ProblemKind, number>>): string {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, count]) => `${count} ${PROBLEM_LABELS[kind as ProblemKind]}`)
    .join(', ')
}

const lineProblems = (report: PreflightReport) => report.problems.filter(p => p.line !== undefined)

/**
 * The problems on lines as error annotations on those lines (at most one fewer than GitHub shows per
 * step, so the step's own error is not the one dropped; in file order), and `rest`: one line that says
 * how many more there are, and of which kinds.
 */
export function preflightAnnotations(report: PreflightReport): { annotations: Annotation[]; rest?: string } {
  const shown = lineProblems(report).slice(0, MAX_ANNOTATIONS - 1)
  const annotations = shown.map(problem => ({
    file: report.file,
    line: problem.line ?? 1,
    title: `input-file: ${PROBLEM_LABELS[problem.kind]}`,
    message: `Line ${problem.line ?? 1} is not a request Together accepts: ${problem.message}. Nothing was uploaded.`
  }))
  const left: Partial<Record<ProblemKind, number>> = {}
  let more = 0
  for (const [kind, count] of Object.entries(report.counts) as [ProblemKind, number][]) {
    const lines = count - shown.filter(p => p.kind === kind).length
    if (lines <= 0 || report.problems.some(p => p.kind === kind && p.line === undefined)) continue
    left[kind] = lines
    more += lines
  }
  if (more === 0) return { annotations }
  return { annotations, rest: `${plural(more, 'more line')} of ${report.file} not sent: ${kindList(left)}.` }
}

/** One line for the step's failure: why the file was refused, and that nothing was uploaded. */
export function preflightFailure(report: PreflightReport): string {
  const filewide = report.problems.find(p => p.line === undefined)
  const head = `input-file ${report.file} was not submitted`
  if (filewide) return `${head}: ${filewide.message}. Nothing was uploaded.`
  const lines = lineProblems(report)
  const total = Object.values(report.counts).reduce((sum, count) => sum + count, 0)
  const first = lines[0]?.line ?? 1
  return (
    `${head}: ${plural(total, 'line')} ${total === 1 ? 'is' : 'are'} not a request Together accepts ` +
    `(${kindList(report.counts)}; first on line ${first}). Nothing was uploaded; fix the annotated lines and run again.`
  )
}

/** What will be sent, for the log: requests, endpoint, size, models and the content hash. */
export function preflightFacts(report: PreflightReport): string {
  const models = [...report.models.entries()].sort(([, a], [, b]) => b - a)
  const named = listFirst(
    models.map(([model, count]) => `${oneLine(model, 100)} (${count})`),
    NAMED_MODELS
  )
  const others = report.otherModels > 0 ? `, and ${plural(report.otherModels, 'request')} for further models` : ''
  const modelText = models.length === 0 ? 'no body.model' : `models ${named}${others}`
  return (
    `input-file ${report.file}: ${plural(report.requests, 'request')} for ${report.endpoint}, ` +
    `${byteSize(report.bytes)}, ${modelText}; sha256 ${report.sha256.slice(0, 16)}.`
  )
}

/**
 * The warning about the models the file names that `GET /v1/models` does not list (the batch would
 * fail their requests); undefined when it lists them all.
 */
export function unlistedModelsWarning(report: PreflightReport, listed: readonly { id: string }[]): string | undefined {
  const known = new Set(listed.map(model => model.id))
  const unlisted = [...report.models.keys()].filter(model => !known.has(model))
  if (unlisted.length === 0) return undefined
  return `input-file ${report.file} names ${plural(unlisted.length, 'model')} that GET /v1/models does not list: ${listFirst(unlisted, NAMED_MODELS)}. Their requests would fail in the batch.`
}
