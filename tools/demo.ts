/**
 * `npm run demo [-- <scenario>]`: the whole action, end to end, on this machine, with no account.
 * Starts the Together simulator, runs the committed dist/index.js exactly as the GitHub runner does,
 * streams the job log, then prints the outputs and the step summary. Exits with the action's exit code.
 */
import { renderLogLine, renderSummary } from './runner/render.js'
import { runAction } from './runner/run-action.js'
import { loadScenarios } from './simulator/scenario.js'
import { startSimulator } from './simulator/server.js'

const name = process.argv[2] ?? 'completes'
const scenarios = loadScenarios()
const scenario = scenarios.find(s => s.name === name)
if (!scenario) {
  console.error(`Unknown scenario '${name}'. Choose one of: ${scenarios.map(s => s.name).join(', ')}`)
  process.exit(2)
}

const sim = await startSimulator({ scenarios })
const inputs = {
  'batch-id': String(scenario.batch.id),
  'api-key': sim.apiKey,
  'base-url': sim.baseUrl,
  'poll-interval': '3s',
  timeout: name === 'stays-in-progress' ? '20s' : '2m'
}
console.log(`Scenario '${name}': ${scenario.description}`)
console.log(
  `Simulator at ${sim.baseUrl}; running dist/index.js with ${JSON.stringify({ ...inputs, 'api-key': '***' })}\n`
)

let pending = ''
const run = await runAction({
  inputs,
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
for (const [key, value] of Object.entries(run.outputs)) {
  console.log(`  ${key.padEnd(15)} ${value.length > 100 ? `${value.slice(0, 100)}…` : value}`)
}
console.log('\nStep summary:\n')
console.log(renderSummary(run.summary))
process.exit(run.exitCode ?? 1)
