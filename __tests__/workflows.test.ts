import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../tools/runner/run-action.js'

// What users copy and what CI runs: the workflows, the examples and the YAML in the Markdown files.
// No workflow can run here, so the rules that keep them safe are checked on their text.

interface Source {
  name: string
  text: string
  /** A whole workflow (a file), or a snippet of one (a Markdown code block). */
  whole: boolean
}

const ymlFiles = (dir: string): Source[] =>
  readdirSync(join(ROOT, dir))
    .filter(file => file.endsWith('.yml'))
    .map(file => ({ name: `${dir}/${file}`, text: readFileSync(join(ROOT, dir, file), 'utf8'), whole: true }))

const snippets = (file: string): Source[] =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match, i) => ({
    name: `${file} block ${i + 1}`,
    text: match[1]!,
    whole: false
  }))

const workflows = ymlFiles('.github/workflows')
const examples = ymlFiles('examples')
const markdown = ['README.md', 'CONTRIBUTING.md', 'docs/performance.md'].flatMap(snippets)
const everything = [...workflows, ...examples, ...markdown]

interface Step {
  run?: string
  shell?: string
  uses?: string
  with?: Record<string, unknown>
}

/** Every mapping with a `run` or `uses` string: the steps, wherever the snippet puts them. */
function steps(node: unknown): Step[] {
  if (Array.isArray(node)) return node.flatMap(steps)
  if (node === null || typeof node !== 'object') return []
  const own = typeof (node as Step).run === 'string' || typeof (node as Step).uses === 'string' ? [node as Step] : []
  return [...own, ...Object.values(node).flatMap(steps)]
}

const stepsOf = (source: Source): Step[] => steps(parse(source.text))

describe.each(everything.map(source => [source.name, source] as const))('%s', (_name, source) => {
  it('is valid YAML', () => {
    expect(() => parse(source.text) as unknown).not.toThrow()
  })

  it('passes step outputs and inputs to scripts through env:, never ${{ }} inside run:', () => {
    for (const step of stepsOf(source)) expect(step.run ?? '').not.toContain('${{')
  })

  it('runs every script that pipes, or calls curl or jq, under bash with set -euo pipefail', () => {
    for (const step of stepsOf(source)) {
      const run = step.run ?? ''
      if (!/\bcurl\b|\bjq\b/.test(run) && !run.replace(/\|\|/g, '').includes('|')) continue
      expect({ run, shell: step.shell }).toEqual({ run, shell: 'bash' })
      expect(run.trimStart().split('\n')[0]).toBe('set -euo pipefail')
    }
  })
})

/** Every `uses:` line of a source: the action reference and what follows it on the line. */
const usesLines = (source: Source) => [...source.text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)]

/** What the examples and the README tell users to write for this action itself. */
const THIS_ACTION = 'wait-for-together-batch/wait-for-together-batch@v1'

describe.each([...workflows, ...examples, ...markdown].map(source => [source.name, source] as const))(
  '%s',
  (_name, source) => {
    it('pins every third-party action by full commit SHA, with its version in a comment', () => {
      for (const [line, ref, rest] of usesLines(source)) {
        if (ref === './' || (!source.name.startsWith('.github/') && ref === THIS_ACTION)) continue
        expect({ line, pinned: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref!) }).toEqual({ line, pinned: true })
        expect({ line, comment: /^\s+# v\d+\.\d+\.\d+$/.test(rest!) }).toEqual({ line, comment: true })
      }
    })

    it('keeps what a gate downloaded: an upload after this action runs unless the run was cancelled', () => {
      const all = stepsOf(source)
      const gate = all.findIndex(step => step.uses === THIS_ACTION || step.uses === './')
      if (gate < 0) return
      for (const step of all.slice(gate + 1).filter(s => s.uses?.startsWith('actions/upload-artifact@'))) {
        expect(String((step as { if?: unknown }).if)).toContain('!cancelled()')
      }
    })
  }
)

describe.each([...workflows, ...examples].map(source => [source.name, source] as const))('%s', (_name, source) => {
  const workflow = parse(source.text) as { permissions?: unknown }

  it('grants only contents: read at the top; a job asks for more', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' })
  })

  it('uses at least one action', () => {
    expect(usesLines(source).length).toBeGreaterThan(0)
  })

  it('checks out without keeping the token in .git/config, unless it pushes', () => {
    const all = stepsOf(source)
    if (all.some(step => /\bgit push\b/.test(step.run ?? ''))) return
    for (const step of all.filter(s => s.uses?.startsWith('actions/checkout@'))) {
      expect(step.with?.['persist-credentials']).toBe(false)
    }
  })
})

describe('pinned actions', () => {
  it('use one SHA per action across all workflows, examples and the YAML in the Markdown files', () => {
    const pins = new Map<string, Set<string>>()
    for (const source of [...workflows, ...examples, ...markdown]) {
      for (const [, action, sha] of source.text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})/g)) {
        pins.set(action!, (pins.get(action!) ?? new Set()).add(sha!))
      }
    }
    for (const [action, shas] of pins) expect({ action, shas: shas.size }).toEqual({ action, shas: 1 })
  })
})

describe('dependabot', () => {
  const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
    updates: { 'package-ecosystem': string; schedule: { interval: string }; groups?: object }[]
  }

  it('updates npm packages and GitHub Actions weekly, in groups', () => {
    expect(config.updates.map(u => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of config.updates) {
      expect(update.schedule.interval).toBe('weekly')
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0)
    }
  })
})

describe('examples that cost money only on purpose', () => {
  const create = parse(examples.find(e => e.name === 'examples/create-batch.yml')!.text) as {
    on: { pull_request?: { paths?: string[] } }
    concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
    jobs: Record<string, { env?: Record<string, string>; steps: (Step & { env?: Record<string, string> })[] }>
  }
  const report = parse(examples.find(e => e.name === 'examples/report-batches.yml')!.text) as {
    concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
  }
  const steps = Object.values(create.jobs).flatMap(job => job.steps)
  const track = steps.find(step => step.uses === THIS_ACTION)!

  it('submits the requests file with the action itself, without curl or jq', () => {
    expect(track.with?.['input-file']).toBe('evals.jsonl')
    for (const example of examples) expect(example.text).not.toMatch(/\bcurl\b|\bjq\b/)
  })

  it('creates a batch on a pull request only when the requests file changes', () => {
    expect(create.on.pull_request?.paths).toEqual(['evals.jsonl'])
  })

  it('cancels a superseded run, and its batch with it', () => {
    expect(create.concurrency).toMatchObject({ 'cancel-in-progress': true })
    expect(create.concurrency?.group).toContain('github.event.pull_request.number')
    expect(track.with?.['cancel-on-abort']).toBe(true)
  })

  it('passes in one line, creating nothing, where there is no secret (forks, Dependabot)', () => {
    expect(track.with?.['if-no-api-key']).toBe('skip')
  })

  it('gives the API key to the steps that use it, never to the whole job', () => {
    for (const job of Object.values(create.jobs))
      expect(JSON.stringify(job.env ?? {})).not.toMatch(/: *"\$\{\{ *secrets\.\w+ *\}\}"/)
    // The action alone: it submits evals.jsonl and tracks the batch.
    const keyed = steps.filter(step => JSON.stringify(step).includes('secrets.TOGETHER_API_KEY'))
    expect(keyed).toEqual([track])
  })

  it('reports one run at a time, never cancelling one half way', () => {
    expect(report.concurrency).toEqual({ group: 'together-report', 'cancel-in-progress': false })
  })
})
