import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { redactingOutput, writeSummary } from '../../src/action-io/redacting-output.js'

const KEY = 'tk-output-secret'
let stdout: string
const savedSummary = process.env.GITHUB_STEP_SUMMARY

beforeEach(() => {
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
  process.env.GITHUB_STEP_SUMMARY = savedSummary
})

describe('redactingOutput', () => {
  it('takes the secrets out before it makes a line inert: no key and no forged workflow command is printed', () => {
    const out = redactingOutput([KEY])
    out.log.info(`key ${KEY}\n::error::forged`)
    out.log.warning(`again ${KEY}`)
    out.log.error(`failed with ${KEY}`, `title ${KEY}`)
    expect(stdout).not.toContain(KEY)
    expect(stdout).toContain('key ***')
    const lines = stdout.split(/\r\n|\r|\n/)
    expect(lines.filter(line => line.startsWith('::error::forged'))).toEqual([])
    expect(lines).toContain('::warning::again ***')
    expect(lines).toContain('::error title=title ***::failed with ***')
  })

  it('annotates a line of a file, its title and message redacted', () => {
    redactingOutput([KEY]).log.annotate({ file: 'in.jsonl', line: 2, title: `t ${KEY}`, message: `m ${KEY}` })
    expect(stdout).toContain('::error title=t ***,file=in.jsonl,line=2::m ***')
  })
})

describe('writeSummary', () => {
  it('turns a summary that cannot be written into a warning when the runner gave a summary file', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await writeSummary(redactingOutput([KEY]), 'text', true)
    expect(stdout).toContain('::warning::Could not write the step summary:')
  })

  it('turns it into a debug line when the runner gave none', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await writeSummary(redactingOutput([KEY]), 'text', false)
    expect(stdout).toContain('::debug::Could not write the step summary:')
    expect(stdout).not.toContain('::warning::')
  })
})
