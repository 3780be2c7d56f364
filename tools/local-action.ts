/**
 * `npm run local-action`: debug the action's source with @github/local-action against the simulator.
 * Starts the simulator on 127.0.0.1:8787 (the base URL in .env.example), runs
 * `local-action run . src/main.ts <.env or .env.example>`, and exits with its exit code.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './runner/run-action.js'
import { startSimulator } from './simulator/server.js'

const envFile = existsSync(join(ROOT, '.env')) ? '.env' : '.env.example'
const sim = await startSimulator({ port: Number(process.env.SIMULATOR_PORT ?? 8787) })
console.log(`Together simulator on ${sim.baseUrl}; inputs from ${envFile}`)
const child = spawn(join(ROOT, 'node_modules', '.bin', 'local-action'), ['run', ROOT, 'src/main.ts', envFile], {
  cwd: ROOT,
  stdio: 'inherit'
})
const code = await new Promise<number>(resolve => child.on('close', c => resolve(c ?? 1)))
await sim.close()
process.exit(code)
