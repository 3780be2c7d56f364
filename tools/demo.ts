/**
 * `npm run demo [-- <scenario> | many | results | once | submit | report-later]`: the whole action, end to end, on this machine,
 * with no account. Starts the Together simulator, runs the committed dist/index.js exactly as the GitHub
 * runner does, streams the job log, then prints the outputs and the step summary, and keeps the summary
 * file. Exits with the action's exit code.
 *
 * A scenario name waits for that one batch; the variants show what one batch cannot:
 * - `many`: six batches at once, one still running at the timeout;
 * - `results`: downloads the files and counts the requests, with max-failed-requests: 0;
 * - `once`: timeout: 0, a single check of a running batch, as a scheduled workflow would do it;
 * - `submit`: no batch-id, an input-file of a few generated requests: checked, uploaded, created, waited for;
 * - `report-later`: mode track, then mode report on a schedule (tools/demo-report-later.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { oneLine } from '../src/util/text.js'
import { renderLogLine, renderSummary } from './runner/render.js'
import { runAction } from './runner/run-action.js'
import { loadScenarios } from './simulator/scenario.js'
import { startSimulator } from './simulator/server.js'

interface Demo {
  description: string
  /** The inputs besides the simulator's api-key and base-url. */
  inputs(temp: string): Record<string, string>
  /** The environment besides the runner's own (GITHUB_WORKSPACE for an input-file). */
  env?(temp: string): Record<string, string>
}

/** A few chat requests, one line each, as a user's evals.jsonl would hold them. */
function evalsFile(dir: string): string {
  const questions = ['What is the capital of France?', 'What is the capital of Germany?', 'What is 17 * 23?']
  const lines = questions.map((content, i) =>
    JSON.stringify({
      custom_id: `req-${i + 1}`,
      body: { model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', messages: [{ role: 'user', content }], max_tokens: 64 }
    })
  )
  writeFileSync(join(dir, 'evals.jsonl'), `${lines.join('\n')}\n`)
  return 'evals.jsonl'
}

const scenarios = loadScenarios()
const idOf = (name: string): string => String(scenarios.find(s => s.name === name)?.batch.id)

const VARIANTS: Record<string, Demo> = {
  many: {
    description: 'Six batches in one step: completed, failed, expired, cancelled, no output, and one still running.',
    inputs: () => ({
      'batch-id': ['completes', 'fails', 'expires', 'cancelled', 'only-errors', 'stays-in-progress']
        .map(idOf)
        .join('\n'),
      timeout: '25s'
    })
  },
  results: {
    description:
      'Downloads the output and error files and counts requests; max-failed-requests: 0 fails the step on the one failed request.',
    inputs: temp => ({ 'batch-id': idOf('completes'), 'download-dir': temp, 'max-failed-requests': '0' })
  },
  once: {
    description: 'timeout: 0 checks the batch once and reports it as not finished yet, without failing.',
    inputs: () => ({ 'batch-id': idOf('stays-in-progress'), timeout: '0' })
  },
  submit: {
    description:
      'No batch-id: evals.jsonl (three generated requests) is checked, uploaded to a signed storage URL, a batch created, then waited for; its failed request is annotated on its line.',
    inputs: temp => ({ 'input-file': evalsFile(temp), timeout: '2m' }),
    env: temp => ({ GITHUB_WORKSPACE: temp })
  }
}

/** The demo for a name: a variant, or one scenario's batch. */
function demoFor(name: string): Demo | undefined {
  if (name in VARIANTS) return VARIANTS[name]
  const scenario = scenarios.find(s => s.name === name)
  if (!scenario) return undefined
  return {
    description: scenario.description,
    inputs: () => ({ 'batch-id': String(scenario.batch.id), timeout: name === 'stays-in-progress' ? '20s' : '2m' })
  }
}

const name = process.argv[2] ?? 'completes'
if (name === 'report-later') {
  await import('./demo-report-later.js')
}
const demo = demoFor(name)
if (!demo) {
  const names = [...scenarios.map(s => s.name), ...Object.keys(VARIANTS), 'report-later']
  console.error(`Unknown demo '${name}'. Choose one of: ${names.join(', ')}`)
  process.exit(2)
}

const temp = mkdtempSync(join(tmpdir(), `wait-for-together-batch-demo-${name}-`))
const sim = await startSimulator({ scenarios })
const inputs = { 'poll-interval': '3s', ...demo.inputs(temp), 'api-key': sim.apiKey, 'base-url': sim.baseUrl }
console.log(`Demo '${name}': ${demo.description}`)
console.log(
  `Simulator at ${sim.baseUrl}; running dist/index.js with ${JSON.stringify({ ...inputs, 'api-key': '***' })}\n`
)

let pending = ''
const run = await runAction({
  inputs,
  env: demo.env?.(temp),
  onLog: text => {
    const lines = (pending + text).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const shown = renderLogLine(line)
      if (shown !== undefined && shown !== '') console.log(`  | ${shown}`)
    }
  }
})
await sim.close()

console.log(
  `\nExit code: ${run.exitCode ?? run.signal ?? 'none'}   (${(run.durationMs / 1000).toFixed(1)} s, ${sim.requests.length} requests to the simulator)`
)
console.log('\nOutputs:')
const keyWidth = Math.max(...Object.keys(run.outputs).map(key => key.length))
for (const [key, value] of Object.entries(run.outputs)) {
  console.log(`  ${key.padEnd(keyWidth)}  ${oneLine(value, 100)}`)
}
const summaryFile = join(temp, 'step-summary.md')
writeFileSync(summaryFile, run.summary)
console.log(`\nStep summary (as written, Markdown with HTML: ${summaryFile}):\n`)
console.log(renderSummary(run.summary))
process.exit(run.exitCode ?? 1)
