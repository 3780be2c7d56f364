/**
 * Runs the Together batch simulator until interrupted.
 *   npm run simulator -- [--port 8787] [--key sim-key] [--speed 1] [--scenarios DIR]
 *                        [--create-scenario completes] [--multipart-only]
 * Prints `Together simulator listening on <base URL>` when ready, then one line per request.
 */
import { startSimulator } from './server.js'
import { loadScenarios } from './scenario.js'

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1] : undefined
}

const scenarios = loadScenarios(option('scenarios'))
const sim = await startSimulator({
  scenarios,
  port: Number(option('port') ?? 8787),
  apiKey: option('key'),
  speed: Number(option('speed') ?? 1),
  createScenario: option('create-scenario'),
  signedUploads: !process.argv.includes('--multipart-only')
})
console.log(`Together simulator listening on ${sim.baseUrl} (API key: ${sim.apiKey})`)
console.log(`Batches: ${scenarios.map(s => String(s.batch.id)).join(', ')}`)
console.log(`Signed uploads go to ${sim.storageOrigin}`)
let shown = 0
const timer = setInterval(() => {
  for (const r of sim.requests.slice(shown))
    console.log(
      `${(r.at / 1000).toFixed(1)}s ${r.method} ${r.path} auth=${r.auth}${r.fault ? ` fault=${r.fault}` : ''}`
    )
  shown = sim.requests.length
}, 200)
const stop = (): void => {
  clearInterval(timer)
  void sim.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
