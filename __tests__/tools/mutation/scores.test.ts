import { describe, expect, it } from '@jest/globals'
import { areaOf, formatScores, scoreAreas, shortfalls } from '../../../tools/mutation/scores.js'

const mutants = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })))

describe('mutation scores', () => {
  it('finds the area of a source path', () => {
    expect(areaOf('src/verdict/policy.ts')).toBe('verdict')
    expect(areaOf('/work/x/src/result-files/tally.ts')).toBe('result-files')
    expect(areaOf('src\\engine\\wait.ts')).toBe('engine')
    expect(areaOf('tools/docs.ts')).toBeUndefined()
  })

  it('scores each area: detected of covered, and of all valid mutants, leaving out invalid and ignored ones', () => {
    const scores = scoreAreas({
      files: {
        'src/sanitize/redact.ts': { mutants: mutants({ Killed: 18, Timeout: 1, Survived: 1, Ignored: 2 }) },
        'src/verdict/policy.ts': { mutants: mutants({ Killed: 8, NoCoverage: 2, CompileError: 3 }) },
        'src/verdict/cost.ts': { mutants: mutants({ Killed: 10 }) }
      }
    })
    expect(scores).toEqual([
      {
        area: 'verdict',
        mutants: 23,
        killed: 18,
        survived: 0,
        noCoverage: 2,
        timeouts: 0,
        invalid: 3,
        ignored: 0,
        scoreCovered: 100,
        scoreTotal: 90
      },
      {
        area: 'sanitize',
        mutants: 22,
        killed: 18,
        survived: 1,
        noCoverage: 0,
        timeouts: 1,
        invalid: 0,
        ignored: 2,
        scoreCovered: 95,
        scoreTotal: 95
      }
    ])
    expect(shortfalls(scores)).toEqual([])
    expect(shortfalls(scores, { covered: 96, total: 91 })).toEqual([
      'verdict: 90.00% of all mutants killed, under 91%',
      'sanitize: 95.00% of covered mutants killed, under 96%'
    ])
  })

  it('prints a Markdown table with the wall time of each area', () => {
    const [score] = scoreAreas({ files: { 'src/engine/wait.ts': { mutants: mutants({ Killed: 3, Survived: 1 }) } } })
    expect(formatScores([{ ...score!, seconds: 754.4 }]).split('\n')).toEqual([
      '| area | mutants | killed | survived | no coverage | timeouts | invalid | ignored | score covered | score total | wall time |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| src/engine | 4 | 3 | 1 | 0 | 0 | 0 | 0 | 75.00% | 75.00% | 12m 34s |'
    ])
  })
})
