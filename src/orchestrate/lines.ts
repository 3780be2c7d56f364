import type { WaitReport } from '../engine/types.js'
import type { Logger } from '../util/effects.js'
import type { LineReport } from '../report/failed-lines.js'
import { groupAnnotations, MAX_ANNOTATIONS } from '../result-files/annotations.js'
import type { BatchFiles } from '../result-files/collect.js'
import { matchInputFile, type FailureIndex } from '../result-files/failures.js'
import type { InputFile } from '../result-files/input-file.js'
import { mergeTallies, type Tally } from '../result-files/tally.js'
import { plural } from '../util/text.js'
import type { Verdict } from '../verdict/verdict.js'

/**
 * Finds the failed requests on the lines of `input-file` and turns them into annotations: one per
 * error code, as many as GitHub shows in a step, less one when the step fails so that the verdict's
 * own annotation is never the one dropped.
 */
export async function locateFailures(
  failures: FailureIndex,
  inputFile: InputFile,
  all: WaitReport,
  collected: ReadonlyMap<string, BatchFiles>,
  verdict: Verdict,
  deps: { log: Logger; signal?: AbortSignal }
): Promise<LineReport> {
  const match = await matchInputFile(failures, inputFile, deps.signal)
  if (match.error !== undefined) {
    deps.log.warning(`Could not read input-file '${inputFile.name}' to annotate failed requests: ${match.error}`)
  } else if (match.notInFile > 0) {
    deps.log.warning(
      `${plural(match.notInFile, 'failed request has', 'failed requests have')} a custom_id that is not in input-file '${inputFile.name}'.`
    )
  }
  const tallies = [...collected.values()].map(f => f.tally).filter((t): t is Tally => t !== undefined)
  const examples = new Map([...mergeTallies(tallies).codes].map(([code, { example }]) => [code, example]))
  const budget = verdict.ok ? MAX_ANNOTATIONS : MAX_ANNOTATIONS - 1
  return { match, ...groupAnnotations(match, examples, budget, all.results.length > 1) }
}
