/**
 * `npm run mutation [-- area…]`: StrykerJS over each area of the decision code in turn (all four by
 * default, or the areas named: `npm run mutation -- verdict`), each with its own incremental file
 * (`tools/mutation/incremental/<area>.json`, committed, so a re-run tests only what changed) and its
 * own reports (`reports/mutation/<area>.html` and `.json`). Then prints the per-area table and fails
 * when an area is under its thresholds (stryker.config.mjs breaks below 90% itself).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AREAS, formatScores, readScores, reportPath, shortfalls } from './scores.js'

const root = join(import.meta.dirname, '..', '..')
const args = process.argv.slice(2)
const unknown = args.filter(a => !(AREAS as readonly string[]).includes(a))
if (unknown.length > 0) {
  console.error(`Unknown area ${unknown.join(', ')}: expected some of ${AREAS.join(', ')}.`)
  process.exit(2)
}
const areas = args.length > 0 ? args : [...AREAS]

const seconds = new Map<string, number>()
const failed: string[] = []
for (const area of areas) {
  console.log(`\n== Mutation testing src/${area}/ ==\n`)
  const started = Date.now()
  const run = spawnSync('stryker', ['run'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_AREA: area }
  })
  seconds.set(area, (Date.now() - started) / 1000)
  if (run.status !== 0) failed.push(`${area}: stryker exited ${String(run.status ?? run.signal ?? run.error?.message)}`)
}

const scores = readScores(
  areas.map(area => reportPath(root, area)).filter(path => existsSync(path)),
  seconds
)
console.log(`\n${formatScores(scores)}\n`)
const problems = [...failed, ...shortfalls(scores)]
for (const line of problems) console.error(line)
process.exitCode = problems.length > 0 ? 1 : 0
