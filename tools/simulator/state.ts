import type { Scenario, TimelinePoint } from './scenario.js'

const FINAL = new Set(['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'])

/** One simulated batch: a scenario plus the moment its clock started and any cancel request. */
export interface SimBatch {
  id: string
  scenario: Scenario
  /** Real ms when the batch's clock started (created, or first asked about). */
  startedAt?: number
  /** Scenario seconds at which a cancel was requested. */
  cancelAt?: number
  /** Per request kind, how many requests this batch has received. */
  counts: Record<string, number>
  /** Created by `POST /v1/batches` (not one of the scenarios' own batches). */
  created?: boolean
  /** Fields the create set (`input_file_id`, `endpoint`), over the scenario's. */
  fields?: Record<string, unknown>
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

function iso(realMs: number): string {
  return new Date(realMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The point of the timeline in force at scenario second `t`, and the next one. */
function pointAt(timeline: TimelinePoint[], t: number): [TimelinePoint, TimelinePoint | undefined, number] {
  let index = 0
  for (let i = 0; i < timeline.length; i++) if (timeline[i]!.at <= t) index = i
  return [timeline[index]!, timeline[index + 1], index]
}

/**
 * The batch object as the live API would answer it `seconds` scenario seconds after it started.
 * `now` (real ms) and `speed` turn scenario seconds back into timestamps.
 */
export function batchAt(
  batch: SimBatch,
  seconds: number,
  startedAtReal: number,
  speed: number
): Record<string, unknown> {
  const { scenario } = batch
  const job: Record<string, unknown> = {
    created_at: iso(startedAtReal),
    ...scenario.batch,
    ...batch.fields,
    id: batch.id
  }
  const [point, next, index] = pointAt(scenario.timeline, seconds)
  for (const earlier of scenario.timeline.slice(0, index + 1)) Object.assign(job, earlier.set ?? {})
  let status = point.status
  let progress = point.progress
  if (point.interpolate && next && typeof next.progress === 'number' && typeof point.progress === 'number') {
    const share = (seconds - point.at) / (next.at - point.at)
    progress = round2(point.progress + (next.progress - point.progress) * share)
  }
  if (batch.cancelAt !== undefined && !(FINAL.has(status) && point.at <= batch.cancelAt)) {
    const cancelSeconds = scenario.cancelSeconds ?? 2
    status = seconds < batch.cancelAt + cancelSeconds ? 'CANCELING' : 'CANCELLED'
    if (status === 'CANCELLED')
      job.completed_at = iso(startedAtReal + ((batch.cancelAt + cancelSeconds) * 1000) / speed)
    // Progress freezes where it was when the cancel came in.
    const [atCancel, afterCancel] = pointAt(scenario.timeline, batch.cancelAt)
    progress = atCancel.progress
    if (
      atCancel.interpolate &&
      afterCancel &&
      typeof afterCancel.progress === 'number' &&
      typeof progress === 'number'
    ) {
      progress = round2(
        progress + ((afterCancel.progress - progress) * (batch.cancelAt - atCancel.at)) / (afterCancel.at - atCancel.at)
      )
    }
  } else if (FINAL.has(status) && job.completed_at === 'now') {
    job.completed_at = iso(startedAtReal + (point.at * 1000) / speed)
  }
  job.status = status
  if (progress !== undefined) job.progress = progress
  return job
}
