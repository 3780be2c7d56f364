import { describe, expect, it } from '@jest/globals'
import { addPoint, type ProgressPoint } from '../../src/engine/progress-series.js'

describe('addPoint', () => {
  it('keeps changes only, and thins a long series to a bounded size keeping the first and the newest', () => {
    const series: ProgressPoint[] = []
    addPoint(series, { atMs: 0, progress: 1 })
    addPoint(series, { atMs: 1, progress: 1 })
    expect(series).toHaveLength(1)
    for (let i = 2; i <= 1000; i++) addPoint(series, { atMs: i, progress: i / 10 })
    expect(series.length).toBeLessThanOrEqual(240)
    expect(series[0]).toEqual({ atMs: 0, progress: 1 })
    expect(series.at(-1)).toEqual({ atMs: 1000, progress: 100 })
  })

  it('adds a point whose progress went back, and one that returns to an earlier figure', () => {
    const series: ProgressPoint[] = []
    for (const [atMs, progress] of [
      [0, 10],
      [1, 5],
      [2, 10]
    ] as const)
      addPoint(series, { atMs, progress })
    expect(series.map(p => p.progress)).toEqual([10, 5, 10])
  })

  it('holds up to 240 points untouched, and halves the series on the 241st, keeping every other point', () => {
    const series: ProgressPoint[] = []
    for (let i = 0; i < 240; i++) addPoint(series, { atMs: i, progress: i })
    expect(series).toHaveLength(240)
    expect(series.map(p => p.atMs)).toEqual(Array.from({ length: 240 }, (_, i) => i))
    addPoint(series, { atMs: 240, progress: 240 })
    expect(series).toHaveLength(121)
    expect(series.map(p => p.atMs)).toEqual(Array.from({ length: 121 }, (_, i) => i * 2))
  })

  it('keeps the newest point when thinning leaves it at an odd position', () => {
    // A series already past the bound (as built elsewhere): the newest point sits at an odd index.
    const series: ProgressPoint[] = Array.from({ length: 241 }, (_, i) => ({ atMs: i, progress: i }))
    addPoint(series, { atMs: 241, progress: 241 })
    expect(series).toHaveLength(122)
    expect(series[0]).toEqual({ atMs: 0, progress: 0 })
    expect(series.at(-2)).toEqual({ atMs: 240, progress: 240 })
    expect(series.at(-1)).toEqual({ atMs: 241, progress: 241 })
  })
})
