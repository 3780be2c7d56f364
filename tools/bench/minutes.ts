/**
 * Runner minutes for a long batch, two ways, from GitHub's billing rule: each job is rounded up to the
 * whole minute. Waiting in the job bills the whole wait; `mode: track` plus a reporter every
 * `everyMin` minutes bills one short job per run until the batch is reported.
 */
export interface MinutesRow {
  batchHours: number
  /** Minutes billed to wait in the creating job (undefined: past a hosted job's 6 h limit). */
  inJob?: number
  /** Minutes billed for the reporter runs, each rounded up to a whole minute. */
  reporter: number
  reporterRuns: number
}

/** A hosted job ends after 6 hours, whatever its timeout. */
const HOSTED_JOB_LIMIT_MIN = 360

export function runnerMinutes(batchHours: number, everyMin = 15, reportJobSeconds = 40): MinutesRow {
  const waitMin = batchHours * 60
  // The batch is reported by the first run at or after its finish.
  const reporterRuns = Math.ceil(waitMin / everyMin) + 1
  const perRun = Math.ceil(reportJobSeconds / 60)
  return {
    batchHours,
    inJob: waitMin <= HOSTED_JOB_LIMIT_MIN ? Math.ceil(waitMin + 1) : undefined,
    reporter: reporterRuns * perRun,
    reporterRuns
  }
}
