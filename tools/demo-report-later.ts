/**
 * `npm run demo -- report-later`: the two halves of a long batch, as separate processes. A creating
 * workflow tracks two batches (`mode: track`), then a scheduled reporter runs every few seconds
 * (`mode: report`) until none is pending, against the Together simulator and a GitHub stand-in.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { startGitHubSim } from './github-sim/server.js'
import { renderSummary } from './runner/render.js'
import { runAction } from './runner/run-action.js'
import { loadScenarios } from './simulator/scenario.js'
import { startSimulator } from './simulator/server.js'

const CONTEXT = 'together/demo'
const scenarios = loadScenarios()
const ids = ['completes', 'fails'].map(name => String(scenarios.find(s => s.name === name)?.batch.id))

const sim = await startSimulator({ scenarios, speed: 2 })
const github = await startGitHubSim()
const env = {
  GITHUB_API_URL: github.apiUrl,
  GITHUB_SERVER_URL: 'https://github.example',
  GITHUB_REPOSITORY: 'octo/repo',
  GITHUB_SHA: 'c'.repeat(40),
  GITHUB_REF: 'refs/heads/main',
  GITHUB_RUN_ID: '1'
}
const common = { 'api-key': sim.apiKey, 'base-url': sim.baseUrl, 'github-token': 'ghs_demo_token' }
const ledger = (): string[] =>
  [...(github.files() ?? new Map<string, string>()).keys()].filter(p => p.endsWith('.json'))

console.log(`Track: the creating workflow records ${ids.join(' and ')} and ends (mode: track).`)
const tracked = await runAction({
  env,
  inputs: { ...common, mode: 'track', 'batch-id': ids.join('\n'), 'commit-status': CONTEXT }
})
console.log(
  `  exit ${tracked.exitCode ?? 'none'}, tracked ${tracked.outputs.tracked ?? ''}; ledger: ${ledger().join(', ')}`
)

let exitCode = 0
for (let run = 1; run <= 8; run++) {
  await delay(3000)
  const report = await runAction({
    env: { ...env, GITHUB_RUN_ID: String(run + 1) },
    inputs: { ...common, mode: 'report' }
  })
  const reported = (JSON.parse(report.outputs.reported || '[]') as { id: string; status: string }[])
    .map(r => `${r.id} ${r.status}`)
    .join(', ')
  console.log(
    `Report run ${run}: exit ${report.exitCode ?? 'none'}, reported [${reported}], pending ${report.outputs.pending ?? '?'}`
  )
  if (report.exitCode !== 0) exitCode = 1
  if (reported) console.log(renderSummary(report.summary).replace(/^/gm, '  | '))
  if (report.outputs.pending === '0') break
}

console.log('\nCommit statuses set on the creating commit:')
for (const s of github.statuses) console.log(`  ${s.context} ${s.state}: ${s.description}`)
console.log(`Ledger left: ${ledger().length === 0 ? 'empty' : ledger().join(', ')}`)
await sim.close()
await github.close()
process.exit(exitCode)
