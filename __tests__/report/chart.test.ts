import { describe, expect, it } from '@jest/globals'
import type { BatchResult } from '../../src/engine/types.js'
import { progressBar, progressChart } from '../../src/report/chart.js'
import { buildSummary } from '../../src/report/summary.js'

const T0 = Date.UTC(2026, 0, 1)
const MIN = 60_000

function waited(minutes: number, timeline: BatchResult['timeline'], progress?: number): BatchResult {
  return {
    batchId: 'batch-1',
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: { status: 'COMPLETED', output_file_id: 'file-out' },
    progress,
    startedAt: T0,
    endedAt: T0 + minutes * MIN,
    timeoutMs: 3_600_000,
    timeline,
    requests: 10
  }
}

const values = (chart: string): number[] => JSON.parse(/line (\[.*\])/.exec(chart)![1]!) as number[]

describe('progressChart', () => {
  const long = waited(
    29,
    [
      { atMs: 0, status: 'VALIDATING' },
      { atMs: MIN, status: 'IN_PROGRESS', progress: 0 },
      { atMs: 29 * MIN, status: 'COMPLETED', progress: 100 }
    ],
    100
  )

  it('draws progress against minutes since the start as a Mermaid xychart', () => {
    const chart = progressChart(long)
    expect(chart.split('\n').slice(0, 5)).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "Progress over time"',
      '  x-axis "minutes since start" 0 --> 29',
      '  y-axis "progress %" 0 --> 100'
    ])
    expect(chart.endsWith('\n```')).toBe(true)
  })

  it('samples 30 points evenly in time along the line through the known figures', () => {
    const line = values(progressChart(long))
    expect(line).toHaveLength(30)
    // One sample a minute: 0 up to minute 1, then 1/28 more of the way each minute.
    expect(line.slice(0, 4)).toEqual([0, 0, 3.6, 7.1])
    expect(line[29]).toBe(100)
  })

  it('stays bounded for a long timeline', () => {
    const timeline = Array.from({ length: 500 }, (_, i) => ({ atMs: i * MIN, status: 'IN_PROGRESS', progress: i / 5 }))
    const line = values(progressChart(waited(500, timeline, 100)))
    expect(line).toHaveLength(30)
    expect(line.every(v => v >= 0 && v <= 100)).toBe(true)
  })

  it('is left out for short waits, sparse timelines and batches that never reported progress', () => {
    expect(progressChart({ ...long, endedAt: T0 + 4 * MIN })).toBe('')
    expect(progressChart({ ...long, timeline: long.timeline.slice(0, 2) })).toBe('')
    const silent = waited(
      30,
      [0, 1, 2].map(i => ({ atMs: i * MIN, status: 'IN_PROGRESS' }))
    )
    expect(progressChart(silent)).toBe('')
  })

  it('goes in the single-batch summary between the table and the timeline', () => {
    const summary = buildSummary(
      { results: [long], startedAt: T0, endedAt: long.endedAt, timeoutMs: 3_600_000, done: true },
      { ok: true, message: 'ok' }
    )
    expect(summary).toMatch(/<\/table>\n\n```mermaid\n[^]*\n```\n\n### Timeline/)
  })

  it('follows every progress change the engine kept, not only the status changes', () => {
    // Fast to 80 % in 4 minutes, then slow: the status timeline alone would draw a straight ramp.
    const series = [
      { atMs: MIN, progress: 0 },
      { atMs: 5 * MIN, progress: 80 },
      { atMs: 29 * MIN, progress: 100 }
    ]
    const chart = progressChart({ ...long, progressSeries: series })
    const line = values(chart)
    const atFiveMinutes = line[Math.round((5 / 29) * (line.length - 1))]!
    expect(atFiveMinutes).toBeGreaterThan(70)
    expect(values(progressChart(long))[Math.round((5 / 29) * (line.length - 1))]!).toBeLessThan(30)
  })
})

describe('progressBar', () => {
  it('draws a proportional progress bar, as code, followed by the figure', () => {
    expect(progressBar(40)).toBe(`<code>${'█'.repeat(8) + '░'.repeat(12)}</code> 40%`)
    expect(progressBar(140)).toBe(`<code>${'█'.repeat(20)}</code> 140%`)
  })
})
