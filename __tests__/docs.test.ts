import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, readActionYaml } from '../tools/runner/run-action.js'
import { inputsTable, outputsTable, readActionDocs, renderReadme, type ActionDocs } from '../tools/docs.js'
import { VERSION } from '../src/version.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionYaml()

/** What lies between `<!-- name:start -->` and `<!-- name:end -->`, trimmed. */
function between(text: string, name: string): string {
  return text.split(`<!-- ${name}:start -->`)[1]?.split(`<!-- ${name}:end -->`)[0]?.trim() ?? ''
}

/** The text of the section that follows `## <heading>`, up to the next `## `. */
function section(heading: string): string {
  return readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
}

describe('README and action.yml', () => {
  // When one of these fails, run `npm run docs`: it rewrites both tables from action.yml.
  it('show the input table that npm run docs writes from action.yml', () => {
    expect(between(readme, 'inputs')).toBe(inputsTable(readActionDocs()))
  })

  it('show the output table that npm run docs writes from action.yml', () => {
    expect(between(readme, 'outputs')).toBe(outputsTable(readActionDocs()))
  })

  it('are what npm run docs leaves unchanged', () => {
    expect(renderReadme(readme, readActionDocs())).toBe(readme)
  })

  it('put the tables under their headings', () => {
    expect(section('Inputs')).toContain('<!-- inputs:start -->')
    expect(section('Outputs')).toContain('<!-- outputs:start -->')
  })

  it('describe every input and output in action.yml', () => {
    for (const spec of [...Object.values(action.inputs ?? {}), ...Object.values(action.outputs ?? {})]) {
      expect((spec as { description?: string }).description?.length).toBeGreaterThan(10)
    }
  })

  it('run the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('start with a short step that uses the action with a batch-id', () => {
    const first = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(first).toMatch(/uses: [\w.-]+\/wait-for-together-batch@v1\n/)
    expect(first).toContain('batch-id:')
    expect(first.trim().split('\n').length).toBeLessThan(10)
    expect(readme.indexOf(first)).toBeLessThan(readme.indexOf('\n## '))
  })

  it('show a complete workflow before the inputs', () => {
    const complete = section('A complete workflow')
    expect(complete).toMatch(/\non:\n/)
    expect(complete).toMatch(/\npermissions:\n {2}contents: read\n/)
    expect(readme.indexOf('\n## A complete workflow\n')).toBeLessThan(readme.indexOf('\n## Inputs\n'))
  })

  it('create and gate a batch in the complete workflow with the action alone, in at most 25 lines of YAML', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section('A complete workflow'))?.[1] ?? ''
    expect(yaml).toContain('input-file: evals.jsonl')
    expect(yaml).not.toMatch(/\bcurl\b|\bjq\b/)
    expect(yaml.split('\n').filter(line => line.trim() !== '').length).toBeLessThanOrEqual(25)
  })

  it('stay short: details live in CONTRIBUTING.md and docs/', () => {
    // The generated tables grow with action.yml; the rest of the page should not. (11 KiB until the
    // Permissions section, which every adopter needs, came in with 1.1.0.)
    const prose = readme.replace(/<!-- (inputs|outputs):start -->[\s\S]*?<!-- \1:end -->/g, '')
    expect(Buffer.byteLength(prose)).toBeLessThan(13 * 1024)
  })

  it('give npm ci once, then the demo and test commands', () => {
    const commands = /```sh\n([\s\S]*?)```/
      .exec(section('Try it locally'))?.[1]
      ?.split('\n')
      .map(line => line.split('#')[0]!.trim())
      .filter(Boolean)
    expect(commands).toEqual(['npm ci', 'npm run demo', 'npm test'])
  })

  it('document one Permissions section, before the inputs, naming each permission and forks', () => {
    expect(readme.match(/^## Permissions$/gm)).toHaveLength(1)
    expect(readme.indexOf('\n## Permissions\n')).toBeLessThan(readme.indexOf('\n## Inputs\n'))
    const permissions = section('Permissions')
    for (const needed of ['statuses: write', 'pull-requests: write', 'contents: write', 'if-no-api-key: skip']) {
      expect(permissions).toContain(needed)
    }
    expect(permissions).toMatch(/forks/)
    expect(permissions).toMatch(/Dependabot/)
    expect(permissions).toMatch(/60 days/)
  })

  it('give each figure a command that reproduces it', () => {
    expect(readme).toMatch(/makes 41\s+GitHub requests \(`npm run bench -- report`\)/)
    expect(readme).toMatch(/241 waiting in the job, 17 with a 15-minute reporter/)
    expect(readme).toContain('(`npm run bench -- minutes`)')
    expect(section('Performance')).toMatch(/informative[\s\S]*median 1\.1 s[\s\S]*`npm run bench -- virtual`/)
  })

  it('keep the default timeout inside the 6 h limit of a hosted job, as action.yml sets it', () => {
    expect(action.inputs?.timeout?.default).toBe('5h45m')
    expect(section('Timeouts and cancellation')).toContain('its default, 5h45m, leaves room')
  })

  it('keep the version sent in the User-Agent equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})

describe('npm run docs', () => {
  const docs: ActionDocs = {
    inputs: {
      'batch-id': { description: 'The batch.', required: true },
      'download-dir': { description: 'Writes <batch-id>-output.jsonl;\nA | B.', default: '' },
      'github-token': { description: 'Token.', default: '${{ github.token }}' }
    },
    outputs: { status: { description: 'The status.' } }
  }

  it('writes one plain row per input, in action.yml order, without padding', () => {
    expect(inputsTable(docs).split('\n')).toEqual([
      '<!-- prettier-ignore -->',
      '| input | default | description |',
      '| --- | --- | --- |',
      '| `batch-id` | (required) | The batch. |',
      "| `download-dir` | `''` | Writes &lt;batch-id>-output.jsonl; A \\| B. |",
      '| `github-token` | `${{ github.token }}` | Token. |'
    ])
  })

  it('writes one row per output', () => {
    expect(outputsTable(docs).split('\n').slice(1)).toEqual([
      '| output | description |',
      '| --- | --- |',
      '| `status` | The status. |'
    ])
  })

  it('replaces only what lies between the markers, so a new input needs nothing but npm run docs', () => {
    const before =
      'intro\n<!-- inputs:start -->\nold\n<!-- inputs:end -->\nmiddle\n<!-- outputs:start -->\n<!-- outputs:end -->\nend\n'
    const after = renderReadme(before, docs)
    expect(after.startsWith('intro\n<!-- inputs:start -->\n\n<!-- prettier-ignore -->\n| input |')).toBe(true)
    expect(after).toContain('|\n\n<!-- inputs:end -->\nmiddle\n<!-- outputs:start -->\n\n<!-- prettier-ignore -->')
    expect(after.endsWith('| `status` | The status. |\n\n<!-- outputs:end -->\nend\n')).toBe(true)
    expect(renderReadme(after, docs)).toBe(after)
  })

  it('refuses a README without its markers, and an input without a description', () => {
    expect(() => renderReadme('no markers', docs)).toThrow("'<!-- inputs:start -->'")
    expect(() => inputsTable({ inputs: { x: { default: '' } } })).toThrow("'x' has no description")
  })
})
