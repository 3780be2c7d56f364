import type { WaitReport } from '../../src/engine/types.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import type { FinalStatus } from '../../src/together/status.js'
import { judgeBatch, judgeStep } from '../../src/verdict/judge-batch.js'
import type { Gate } from '../../src/verdict/policy.js'
import type { Verdict } from '../../src/verdict/verdict.js'

/** The step's verdict on the waits alone, as the step makes it from each batch's verdict. */
export const judgeAll = (all: WaitReport, failOn: ReadonlySet<FinalStatus>): Verdict =>
  judgeStep(
    all,
    all.results.map(r => judgeBatch(r, undefined, undefined, { failOn }))
  )

/** The step's verdict on the result files alone (`max-failed-requests`); undefined when it passes. */
export function judgeResults(
  all: WaitReport,
  collected: ReadonlyMap<string, BatchFiles>,
  gate: Gate | undefined
): Verdict | undefined {
  const policy = { failOn: new Set<FinalStatus>(), ...(gate ? { requestGate: gate } : {}) }
  const verdict = judgeStep(
    all,
    all.results.map(r => judgeBatch(r, collected.get(r.batchId), undefined, policy))
  )
  return verdict.ok ? undefined : verdict
}
