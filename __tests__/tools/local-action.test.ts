import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../tools/runner/run-action.js'

/** A port nothing listens on right now, for the simulator the script starts. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Runs `npm run local-action -- <env file>` (as tsx tools/local-action.ts), killed after `limitMs`. */
async function runLocalAction(envFile: string, port: number, limitMs: number) {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['tools/local-action.ts', envFile], {
    cwd: ROOT,
    // NODE_OPTIONS of jest's own (VM modules) stays out of the action's process.
    env: { ...process.env, SIMULATOR_PORT: String(port), NODE_OPTIONS: '', FORCE_COLOR: '0' }
  })
  let log = ''
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(killer)
  return { code, log }
}

describe('npm run local-action', () => {
  it("runs src/main.ts under @github/local-action's stand-in for @actions/core, against the simulator", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-action-'))
    try {
      const port = await freePort()
      // .env.example's inputs, on this port, checking once so the run takes seconds.
      const example = readFileSync(join(ROOT, '.env.example'), 'utf8')
      const envFile = join(dir, '.env')
      writeFileSync(
        envFile,
        example
          .replace('http://127.0.0.1:8787/v1', `http://127.0.0.1:${port}/v1`)
          .replace(/^INPUT_TIMEOUT=.*$/m, 'INPUT_TIMEOUT=0')
      )
      const { code, log } = await runLocalAction(envFile, port, 90_000)
      expect(log).not.toContain('TypeError')
      expect(code).toBe(0)
      // The stand-in's own table of outputs: the run went through local-action's @actions/core.
      expect(log).toMatch(/Action Outputs[\s\S]*'passed'\s*│\s*'true'/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
