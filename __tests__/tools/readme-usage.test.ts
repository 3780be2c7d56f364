import { describe, expect, it } from '@jest/globals'
import { readActionYaml } from '../../tools/runner/run-action.js'
import { documentedUsage, missingFromAction, readDocuments } from '../../tools/readme-usage.js'

const md = (yaml: string, prose = ''): string => `${prose}\n\n\`\`\`yaml\n${yaml}\`\`\`\n`

describe('README.md and examples/', () => {
  it('use only inputs and outputs that action.yml has (the release workflow checks the tag the same way)', () => {
    expect(missingFromAction(documentedUsage(readDocuments()), readActionYaml())).toEqual([])
  })

  it('are read whole: the tables, every snippet and the examples', () => {
    const usage = documentedUsage(readDocuments())
    expect(usage.inputs.get('mode')).toMatch(/^(README\.md|examples\/)/)
    expect([...usage.inputs.keys()]).toEqual(expect.arrayContaining(['if-no-api-key', 'cancel-on-abort']))
    expect([...usage.outputs.keys()]).toEqual(expect.arrayContaining(['passed', 'output-file-id', 'reported']))
  })
})

describe('documentedUsage', () => {
  const snippet = md(
    [
      '- id: create',
      '  uses: actions/github-script@0123456789abcdef0123456789abcdef01234567 # v8.0.0',
      '  with:',
      '    script: return 1',
      '- id: batch',
      '  uses: wait-for-together-batch/wait-for-together-batch@v1',
      '  with:',
      '    batch-id: ${{ steps.create.outputs.result }}',
      '    mode: track',
      '- env:',
      '    PASSED: ${{ steps.batch.outputs.passed }}',
      '  run: echo "$PASSED"',
      ''
    ].join('\n')
  )

  it("takes the with: keys of this action's steps, and no other action's", () => {
    const usage = documentedUsage({ 'README.md': snippet })
    expect([...usage.inputs.keys()]).toEqual(['batch-id', 'mode'])
    expect(usage.inputs.get('mode')).toBe('README.md block 1')
  })

  it("takes the outputs read from this action's steps, by their id, also in another snippet", () => {
    const later = md(
      '- env:\n    FILE: ${{ fromJSON(steps.batch.outputs.batches)[0].output_file_id }}\n  run: echo ok\n'
    )
    const usage = documentedUsage({ 'README.md': snippet + later })
    expect([...usage.outputs.keys()]).toEqual(['passed', 'batches'])
  })

  it('takes the rows of the generated tables', () => {
    const tables = [
      '<!-- inputs:start -->',
      '| input | default | description |',
      '| --- | --- | --- |',
      "| `batch-id` | `''` | The batch. |",
      '<!-- inputs:end -->',
      '<!-- outputs:start -->',
      '| `status` | The status. |',
      '<!-- outputs:end -->'
    ].join('\n')
    const usage = documentedUsage({ 'README.md': tables })
    expect([...usage.inputs.keys()]).toEqual(['batch-id'])
    expect([...usage.outputs.keys()]).toEqual(['status'])
  })

  it('reads a whole workflow file of examples/ as YAML', () => {
    const workflow = 'jobs:\n  a:\n    steps:\n      - uses: ./\n        with:\n          timeout: 1m\n'
    expect([...documentedUsage({ 'examples/x.yml': workflow }).inputs.keys()]).toEqual(['timeout'])
  })
})

describe('missingFromAction', () => {
  it('names each input and output documented but missing, as v1.0.0 lacked mode and passed', () => {
    const usage = documentedUsage({
      'README.md':
        md('- id: batch\n  uses: o/wait-for-together-batch@v1\n  with:\n    mode: track\n') +
        '`${{ steps.batch.outputs.passed }}`'
    })
    const v100 = { inputs: { 'batch-id': {} }, outputs: { status: {} } }
    expect(missingFromAction(usage, v100)).toEqual([
      "README.md block 1 uses input 'mode', which action.yml lacks.",
      "README.md uses output 'passed', which action.yml lacks."
    ])
    expect(missingFromAction(usage, { inputs: { mode: {} }, outputs: { passed: {} } })).toEqual([])
  })
})
