import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository root (where action.yml lives). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

interface ActionYaml {
  inputs?: Record<string, { default?: string; required?: boolean }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string }
}

export function readActionYaml(root: string = ROOT): ActionYaml {
  return parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionYaml
}

export interface RunActionOptions {
  /** Inputs as a workflow's `with:` gives them; action.yml's defaults fill in the rest. */
  inputs: Record<string, string>
  /** Extra environment (e.g. TOGETHER_API_KEY, HTTPS_PROXY). Nothing else leaks in from this process. */
  env?: Record<string, string>
  /** Called with every chunk the action prints (stdout and stderr), as it comes. */
  onLog?(text: string): void
  /** Emulate a cancelled workflow: SIGINT after this many ms, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. */
  cancelAfterMs?: number
  /** Kill the action (SIGKILL) if it runs longer than this; a safety net for tests. */
  killAfterMs?: number
  /** Called with the action's process id once it is running (to sample its memory, say). */
  onSpawn?(pid: number): void
  /** Another bundle to run in the action's place (the bench's floor program); see `actionBundle`. */
  bundle?: string
}

export interface ActionRun {
  exitCode: number | null
  /** The signal that ended the process, when one did (SIGKILL means it outlived the runner's patience). */
  signal: NodeJS.Signals | null
  /** Everything printed, stdout and stderr interleaved as received. */
  log: string
  outputs: Record<string, string>
  summary: string
  durationMs: number
  /** Signals sent to emulate a cancellation, with the ms after start each was sent. */
  signalsSent: { signal: NodeJS.Signals; atMs: number }[]
}

/** Parses a GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!)
      outputs[name!] = value.join('\n')
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/** The environment the runner gives a node action: INPUT_<NAME> (upper-cased, hyphens kept) for every input. */
export function inputEnv(
  inputs: Record<string, string>,
  action: ActionYaml = readActionYaml()
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const value = inputs[name] ?? spec.default ?? ''
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in (action.inputs ?? {}))) throw new Error(`Unexpected input '${name}': action.yml does not declare it`)
  }
  return env
}

/**
 * The bundle to run: `ACTION_BUNDLE` (an absolute path) when set, else action.yml's `runs.main`, the
 * committed dist/index.js. Jest's globalSetup sets ACTION_BUNDLE to a bundle it builds from the current
 * source, so the end-to-end suites never test a stale dist/; the demo and bench run what ships.
 */
function actionBundle(action: ActionYaml = readActionYaml()): string {
  return process.env.ACTION_BUNDLE || join(ROOT, action.runs.main)
}

/**
 * Runs the action's bundle (see `actionBundle`) as the GitHub runner does: a child `node`
 * process with INPUT_* variables, temp GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files read back after it
 * ends, and the runner's SIGINT → SIGTERM → SIGKILL sequence when asked to emulate a cancellation.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const action = readActionYaml()
  const temp = mkdtempSync(join(tmpdir(), 'wait-for-together-batch-'))
  const outputFile = join(temp, 'output')
  const summaryFile = join(temp, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? temp,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...inputEnv(options.inputs, action),
    ...options.env
  }
  const started = Date.now()
  const child = spawn(process.execPath, [options.bundle ?? actionBundle(action)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  if (child.pid !== undefined) options.onSpawn?.(child.pid)
  let log = ''
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8')
    log += text
    options.onLog?.(text)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)

  const timers: NodeJS.Timeout[] = []
  const signalsSent: ActionRun['signalsSent'] = []
  const send = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return
    signalsSent.push({ signal, atMs: Date.now() - started })
    child.kill(signal)
  }
  if (options.cancelAfterMs !== undefined) {
    timers.push(setTimeout(() => send('SIGINT'), options.cancelAfterMs))
    timers.push(setTimeout(() => send('SIGTERM'), options.cancelAfterMs + 7500))
    timers.push(setTimeout(() => send('SIGKILL'), options.cancelAfterMs + 10_000))
  }
  if (options.killAfterMs !== undefined) timers.push(setTimeout(() => send('SIGKILL'), options.killAfterMs))

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
    child.on('close', (code, sig) => resolve([code, sig]))
  )
  timers.forEach(clearTimeout)
  const result: ActionRun = {
    exitCode,
    signal,
    log,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    durationMs: Date.now() - started,
    signalsSent
  }
  rmSync(temp, { recursive: true, force: true })
  return result
}
