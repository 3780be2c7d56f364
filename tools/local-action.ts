/**
 * `npm run local-action [-- <env file>]`: debug the action's source with @github/local-action against
 * the simulator. Starts the simulator on 127.0.0.1:8787 (SIMULATOR_PORT; the base URL in .env.example),
 * runs `local-action run . src/main.ts <env file>` (default .env, else .env.example), and exits with its
 * exit code. `__tests__/tools/local-action.test.ts` runs it once.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './runner/run-action.js'
import { startSimulator } from './simulator/server.js'

const envFile = process.argv[2] ?? (existsSync(join(ROOT, '.env')) ? '.env' : '.env.example')
const sim = await startSimulator({ port: Number(process.env.SIMULATOR_PORT ?? 8787) })
console.log(`Together simulator on ${sim.baseUrl}; inputs from ${envFile}`)
const child = spawn(join(ROOT, 'node_modules', '.bin', 'local-action'), ['run', ROOT, 'src/main.ts', envFile], {
  cwd: ROOT,
  stdio: 'inherit',
  // local-action replaces @actions/core at the path `npm ls` gives. Where node_modules is a symlink (a git
  // worktree sharing one install), Node would load the module by its real path instead and miss the
  // replacement; kept symlinks make the two paths the same.
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --preserve-symlinks`.trim() }
})
const code = await new Promise<number>(resolve => child.on('close', c => resolve(c ?? 1)))
await sim.close()
process.exit(code)
