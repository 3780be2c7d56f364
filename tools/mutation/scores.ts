/**
 * The mutation scores of the decision code, per area, from StrykerJS's JSON reports
 * (`reports/mutation/<area>.json`, written by `npm run mutation`), and the thresholds each area must
 * meet. `tsx tools/mutation/scores.ts [report.json…]` prints the table of the reports given (by default
 * every report of an area that is there) and exits 1 when an area is under its threshold.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The folders of `src/` that mutation testing covers: where the gate's decisions are made. */
export const AREAS = ['verdict', 'result-files', 'engine', 'sanitize'] as const

/** Each area's floor: the share of covered mutants killed, and of all mutants (uncovered ones count as survivors). */
const THRESHOLDS = { covered: 95, total: 90 }

/** What one area's mutants came to. */
export interface AreaScore {
  area: string
  mutants: number
  killed: number
  survived: number
  noCoverage: number
  timeouts: number
  /** Mutants the TypeScript checker refused, or that broke the test run: not counted in the scores. */
  invalid: number
  /** Mutants disabled in the source with a reason (`// Stryker disable …`): not counted either. */
  ignored: number
  /** Detected (killed or timed out) of the covered mutants, in percent. */
  scoreCovered: number
  /** Detected of all valid mutants, covered or not, in percent. */
  scoreTotal: number
  /** Seconds the run of this area took, when known. */
  seconds?: number
}

/** The part of Stryker's JSON report (mutation-testing-report-schema) read here. */
interface Report {
  files: Record<string, { mutants: { status: string }[] }>
}

/** The area a source path belongs to (`src/verdict/policy.ts` → `verdict`), or undefined. */
export function areaOf(path: string): string | undefined {
  const match = /(?:^|\/)src\/([^/]+)\//.exec(path.replaceAll('\\', '/'))
  return match?.[1]
}

const percent = (part: number, whole: number): number => (whole === 0 ? 100 : (part / whole) * 100)

/** The score of every area with mutants in `report`, in the order of AREAS (other folders after them). */
export function scoreAreas(report: Report): AreaScore[] {
  const counts = new Map<string, Record<string, number>>()
  for (const [path, file] of Object.entries(report.files)) {
    const area = areaOf(path) ?? path
    const count = counts.get(area) ?? {}
    for (const { status } of file.mutants) count[status] = (count[status] ?? 0) + 1
    counts.set(area, count)
  }
  const order = (area: string): number => {
    const i = (AREAS as readonly string[]).indexOf(area)
    return i === -1 ? AREAS.length : i
  }
  return [...counts]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([area, c]) => {
      const get = (status: string): number => c[status] ?? 0
      const killed = get('Killed')
      const survived = get('Survived')
      const noCoverage = get('NoCoverage')
      const timeouts = get('Timeout')
      const invalid = get('CompileError') + get('RuntimeError')
      const ignored = get('Ignored')
      const detected = killed + timeouts
      const mutants = Object.values(c).reduce((sum, n) => sum + n, 0)
      return {
        area,
        mutants,
        killed,
        survived,
        noCoverage,
        timeouts,
        invalid,
        ignored,
        scoreCovered: percent(detected, detected + survived),
        scoreTotal: percent(detected, detected + survived + noCoverage)
      }
    })
}

/** The areas under a threshold, each as one line saying which score is short and by how much. */
export function shortfalls(scores: readonly AreaScore[], thresholds = THRESHOLDS): string[] {
  return scores.flatMap(s => [
    ...(s.scoreCovered < thresholds.covered
      ? [`${s.area}: ${s.scoreCovered.toFixed(2)}% of covered mutants killed, under ${thresholds.covered}%`]
      : []),
    ...(s.scoreTotal < thresholds.total
      ? [`${s.area}: ${s.scoreTotal.toFixed(2)}% of all mutants killed, under ${thresholds.total}%`]
      : [])
  ])
}

const wallTime = (seconds: number | undefined): string =>
  seconds === undefined ? '' : `${Math.floor(seconds / 60)}m ${String(Math.round(seconds % 60)).padStart(2, '0')}s`

/** The scores as a Markdown table (the closing notes of mutation work quote it). */
export function formatScores(scores: readonly AreaScore[]): string {
  const head = [
    'area',
    'mutants',
    'killed',
    'survived',
    'no coverage',
    'timeouts',
    'invalid',
    'ignored',
    'score covered',
    'score total',
    'wall time'
  ]
  const rows = scores.map(s => [
    `src/${s.area}`,
    ...[s.mutants, s.killed, s.survived, s.noCoverage, s.timeouts, s.invalid, s.ignored].map(String),
    `${s.scoreCovered.toFixed(2)}%`,
    `${s.scoreTotal.toFixed(2)}%`,
    wallTime(s.seconds)
  ])
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

export const reportPath = (root: string, area: string): string => join(root, 'reports', 'mutation', `${area}.json`)

/** The scores of the given reports; wall times by area where known. */
export function readScores(paths: readonly string[], seconds: ReadonlyMap<string, number> = new Map()): AreaScore[] {
  return paths.flatMap(path => {
    const report = JSON.parse(readFileSync(path, 'utf8')) as Report
    return scoreAreas(report).map(s => {
      const time = seconds.get(s.area)
      return time === undefined ? s : { ...s, seconds: time }
    })
  })
}

function main(args: string[]): number {
  const root = join(import.meta.dirname, '..', '..')
  const paths = args.length > 0 ? args : AREAS.map(area => reportPath(root, area)).filter(p => existsSync(p))
  if (paths.length === 0) {
    console.error(
      `No mutation report in ${relative(process.cwd(), join(root, 'reports', 'mutation'))}: run npm run mutation first.`
    )
    return 1
  }
  const scores = readScores(paths)
  console.log(formatScores(scores))
  const short = shortfalls(scores)
  for (const line of short) console.error(line)
  return short.length > 0 ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))
