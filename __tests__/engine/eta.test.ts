import { describe, expect, it } from '@jest/globals'
import { addSample, estimateFinish, type ProgressSample } from '../../src/engine/eta.js'

const history = (...points: [number, number][]): ProgressSample[] =>
  points.reduce<ProgressSample[]>((h, [at, progress]) => addSample(h, { at, progress }), [])

describe('addSample / estimateFinish', () => {
  it('keeps only the points where progress changed', () => {
    expect(history([0, 10], [30, 10], [60, 20]).map(s => s.at)).toEqual([0, 60])
  })

  it('restarts the history when progress goes backwards', () => {
    expect(history([0, 10], [30, 50], [60, 20])).toEqual([{ at: 60, progress: 20 }])
  })

  it('predicts the finish of a linear job from the latest rate', () => {
    // 1 % per second, measured from the first change on (the first sighting only says when we looked).
    expect(estimateFinish(history([0, 5], [10_000, 10], [20_000, 20], [30_000, 30]))).toBe(30_000 + 70_000)
  })

  it('follows a job that speeds up gradually', () => {
    // 1 %/s, then 1.25 %/s: within the credible change, so the newer rate wins.
    expect(estimateFinish(history([0, 0], [10_000, 10], [20_000, 20], [30_000, 32.5]))).toBe(30_000 + 54_000)
  })

  it.each([
    ['no samples', []],
    ['one sighting', [[0, 30]]],
    [
      'flat progress',
      [
        [0, 30],
        [60_000, 30],
        [120_000, 30]
      ]
    ],
    [
      'two changes only',
      [
        [0, 0],
        [60_000, 50],
        [90_000, 60]
      ]
    ],
    [
      'an irregular burst',
      [
        [0, 0],
        [10_000, 10],
        [20_000, 20],
        [30_000, 60]
      ]
    ]
  ] as [string, [number, number][]][])('gives no estimate for %s', (_name, points) => {
    expect(estimateFinish(history(...points))).toBeUndefined()
  })

  it('drops the estimate once progress has stalled for a whole typical step', () => {
    const h = history([0, 5], [10_000, 10], [20_000, 20], [30_000, 30])
    expect(estimateFinish(h, 35_000)).toBe(100_000)
    expect(estimateFinish(h, 40_000)).toBeUndefined()
  })

  it('measures a stall against the median change, whatever order the changes came in', () => {
    // Changes of 10 (first seen late), 1 and 1.5 at 0.1 %/s: the typical step is 1.5, not the middle one seen (1).
    const h = history([0, 0], [100_000, 10], [110_000, 11], [125_000, 12.5])
    expect(estimateFinish(h, 125_000 + 12_000)).toBeCloseTo(125_000 + 875_000)
    expect(estimateFinish(h, 125_000 + 15_000)).toBeUndefined()
  })
})

describe('addSample', () => {
  it('starts the history with the first sample', () => {
    expect(addSample([], { at: 5, progress: 0 })).toEqual([{ at: 5, progress: 0 }])
  })

  it('keeps the last 8 changes of a long history', () => {
    const h = history(...Array.from({ length: 12 }, (_, i): [number, number] => [i * 1000, i * 5]))
    expect(h).toHaveLength(8)
    expect(h[0]).toEqual({ at: 4000, progress: 20 })
    expect(h.at(-1)).toEqual({ at: 11_000, progress: 55 })
  })

  it('returns a new array and leaves the history it was given unchanged', () => {
    const before = history([0, 10], [1000, 20])
    const copy = [...before]
    const after = addSample(before, { at: 2000, progress: 20 })
    expect(after).toEqual(copy)
    expect(after).not.toBe(before)
    addSample(before, { at: 3000, progress: 30 })
    expect(before).toEqual(copy)
  })
})

describe('estimateFinish', () => {
  it('gives no estimate from a history whose latest change went backwards', () => {
    const backwards: ProgressSample[] = [
      { at: 0, progress: 0 },
      { at: 10_000, progress: 10 },
      { at: 20_000, progress: 20 },
      { at: 30_000, progress: 15 }
    ]
    expect(estimateFinish(backwards)).toBeUndefined()
  })

  it('gives no estimate from a history whose latest changes were flat', () => {
    const flat: ProgressSample[] = [
      { at: 0, progress: 0 },
      { at: 10_000, progress: 10 },
      { at: 20_000, progress: 10 },
      { at: 30_000, progress: 10 }
    ]
    expect(estimateFinish(flat)).toBeUndefined()
  })

  it('gives no estimate when the change before the latest went backwards', () => {
    const backwards: ProgressSample[] = [
      { at: 0, progress: 0 },
      { at: 10_000, progress: 20 },
      { at: 20_000, progress: 10 },
      { at: 30_000, progress: 20 }
    ]
    expect(estimateFinish(backwards)).toBeUndefined()
  })

  it('gives no estimate for a job that slowed down by more than half', () => {
    // 1 %/s, then 0.5 %/s: the ratio of 2 is past the credible 1.5.
    expect(estimateFinish(history([0, 0], [10_000, 10], [20_000, 20], [40_000, 30]))).toBeUndefined()
  })

  it('keeps the estimate at a rate change of exactly 1.5', () => {
    expect(estimateFinish(history([0, 0], [10_000, 10], [20_000, 20], [30_000, 35]))).toBe(30_000 + 65_000 / 1.5)
  })

  it('keeps the estimate for a job that slowed down by exactly 1.5', () => {
    // 24 then 16 % per 1024 ms: exact in binary, so the ratio is exactly 1.5.
    expect(estimateFinish(history([0, 0], [1024, 24], [2048, 48], [3072, 64]))).toBe(3072 + 36 * 64)
  })
})
