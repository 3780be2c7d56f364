/**
 * `npm run bench`: prints how the action's polling compares with fixed-interval polling, in virtual
 * time over many job profiles, and as a real process against the simulator. Figures only, no asserts.
 *   npm run bench              every part
 *   npm run bench -- minutes   runner minutes: waiting in the job vs mode track and a reporter
 *   npm run bench -- virtual   the virtual-time tables: polling profiles, 200 batches read by list or GETs
 *   npm run bench -- report    requests of mode report over 50 tracked batches, by list and by GETs
 *   npm run bench -- list      what reading the batch list costs, a busy account's list
 *   npm run bench -- process   the real process: start-up, memory, CPU
 *   npm run bench -- submit    the preflight and upload figures (several seconds)
 */
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { formatDuration } from '../../src/util/duration.js'
import { PROFILES } from './profiles.js'
import { bareNodeMs, buildFloorBundle, bundleBytes, idleRun, realRun, timeToFirstRequestMs } from './process.js'
import { runnerMinutes } from './minutes.js'
import { reportRequests } from './report.js'
import { submitFigures } from './submit.js'
import { adaptive, fixedInterval, type Figures } from './virtual.js'
import { listTables, manyTable } from './list-tables.js'
import { mean, median, seconds as s } from './table.js'

const POLL_MS = 30_000
const DURATIONS = [3 * 60_000, 40 * 60_000, 5 * 3_600_000]
/** Each duration is tried at this many offsets across one poll interval, so no phase is favoured. */
const PHASES = 9

const ratio = (a: number, b: number): string => (b === 0 ? (a === 0 ? '1.00' : '∞') : (a / b).toFixed(2))

async function virtualTable(): Promise<void> {
  console.log(
    `\n## Virtual time: adaptive engine vs fixed ${formatDuration(POLL_MS)} polling (${PHASES} phases each)\n`
  )
  const header = [
    'profile',
    'duration',
    'requests adaptive',
    'requests fixed',
    'ratio',
    'median delay adaptive',
    'median delay fixed',
    'ratio'
  ]
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => '---').join('|')}|`)
  const informativeDelays: number[] = []
  let worst = { requests: 0, delay: 0 }
  for (const profile of PROFILES) {
    for (const duration of DURATIONS) {
      const ours: Figures[] = []
      const theirs: Figures[] = []
      for (let phase = 0; phase < PHASES; phase++) {
        const d = duration + Math.round((phase / PHASES) * POLL_MS) + 137
        ours.push(await adaptive(profile, d, POLL_MS))
        theirs.push(fixedInterval(d, POLL_MS))
      }
      const req = [mean(ours.map(f => f.requests)), mean(theirs.map(f => f.requests))] as const
      const delay = [median(ours.map(f => f.delayMs)), median(theirs.map(f => f.delayMs))] as const
      if (profile.informative) informativeDelays.push(...ours.map(f => f.delayMs))
      worst = {
        requests: Math.max(worst.requests, req[0] / req[1]),
        delay: Math.max(worst.delay, delay[1] === 0 ? 1 : delay[0] / delay[1])
      }
      console.log(
        `| ${profile.name} | ${formatDuration(duration)} | ${req[0].toFixed(1)} | ${req[1].toFixed(1)} | ${ratio(req[0], req[1])} | ${s(delay[0])} | ${s(delay[1])} | ${ratio(delay[0], delay[1])} |`
      )
    }
  }
  console.log(`\nMedian detection delay over the informative profiles: ${s(median(informativeDelays))}`)
  console.log(
    `Worst ratio to fixed-interval on any profile: requests ${worst.requests.toFixed(2)}, delay ${worst.delay.toFixed(2)}`
  )
}

async function processTable(): Promise<void> {
  console.log('\n## Real process against the simulator\n')
  const floorBundle = buildFloorBundle()
  const bare = bareNodeMs()
  const [first = NaN, floor = NaN] = await timeToFirstRequestMs([undefined, floorBundle]).finally(() => {
    rmSync(dirname(floorBundle), { recursive: true, force: true })
  })
  console.log(`| figure | value |`)
  console.log(`|---|---|`)
  console.log(`| bare \`node -e 0\` (median of 7) | ${bare.toFixed(0)} ms |`)
  console.log(
    `| spawn to first request (median of 7) | ${first.toFixed(0)} ms (${(first / bare).toFixed(2)}× bare node) |`
  )
  console.log(
    `| the same for the stack's floor: @actions/core and one undici request (tools/bench/floor) | ${floor.toFixed(0)} ms (${(floor / bare).toFixed(2)}× bare node) |`
  )
  console.log(`| dist/index.js | ${(bundleBytes() / 1024 / 1024).toFixed(2)} MiB |`)
  const [run, idle] = await Promise.all([realRun(43.5, 10), idleRun()])
  console.log(`| peak RSS while waiting | ${idle.peakRssMiB.toFixed(0)} MiB |`)
  const cpu = idle.cpuSecondsPerMinute
  console.log(
    `| CPU while waiting (poll-interval 30s) | ${cpu.toFixed(3)} CPU-s per minute (${((cpu / 60) * 100).toFixed(3)} % of wall time) |`
  )
  console.log(
    `| 43.5 s batch at poll-interval 10s: detection delay | ${s(run.detectionDelayMs)} adaptive vs ${s(run.fixedDetectionDelayMs)} fixed |`
  )
  console.log(`| same: requests | ${run.requests} adaptive vs ${run.fixedRequests} fixed |`)
  const ratio = first / bare
  const mb = bundleBytes() / 1_000_000
  console.log('\n## Goals\n')
  console.log(`- spawn to first request ≤ 2.5× bare node: ${ratio.toFixed(2)}× (${ratio <= 2.5 ? 'met' : 'not met'})`)
  console.log(
    `  (the stack's floor is ${(floor / bare).toFixed(2)}×: this action adds ${(first - floor).toFixed(0)} ms to it)`
  )
  console.log(`- dist/index.js ≤ 1.3 MB: ${mb.toFixed(2)} MB (${mb <= 1.3 ? 'met' : 'not met'})`)
}

function minutesTable(): void {
  console.log('\n## Runner minutes: waiting in the job vs mode track + a reporter every 15 minutes\n')
  console.log('Each job is billed rounded up to the whole minute; a reporter run takes under a minute.\n')
  console.log('| batch | wait in the job | reporter runs | reporter minutes |')
  console.log('|---|---|---|---|')
  for (const hours of [1, 4, 24]) {
    const row = runnerMinutes(hours)
    const inJob = row.inJob === undefined ? 'not possible (6 h job limit)' : `${row.inJob} min`
    console.log(`| ${hours} h | ${inJob} | ${row.reporterRuns} | ${row.reporter} min |`)
  }
}

async function submitTable(): Promise<void> {
  console.log("\n## Submitting from a file: preflight at Together's limits, uploads of 60 MB\n")
  const { preflight: p, uploads, baselineRssMiB } = await submitFigures()
  const rate = (bytes: number, ms: number): string => `${(bytes / 1_000_000 / (ms / 1000)).toFixed(0)} MB/s`
  console.log(`| figure | value |`)
  console.log(`|---|---|`)
  console.log(
    `| preflight of ${(p.bytes / 1_000_000).toFixed(0)} MB, ${p.requests} requests (median of 3) | ${(p.ms / 1000).toFixed(2)} s, ${rate(p.bytes, p.ms)}, peak RSS ${p.peakRssMiB.toFixed(0)} MiB |`
  )
  for (const u of uploads) {
    console.log(
      `| upload of ${(u.bytes / 1_000_000).toFixed(0)} MB to the simulator, ${u.flow} | ${(u.ms / 1000).toFixed(2)} s, peak RSS ${u.peakRssMiB.toFixed(0)} MiB |`
    )
  }
  console.log(
    `| the same process doing nothing (floor of the RSS figures) | peak RSS ${baselineRssMiB.toFixed(0)} MiB |`
  )
}

async function reportTable(): Promise<void> {
  const [listed, single] = [await reportRequests(50, 20), await reportRequests(50, 20, { listDown: true })]
  console.log(
    `\n## Mode report over ${listed.tracked} tracked batches, ${listed.finished} of them finished (exit ${String(listed.exitCode)}, ${String(single.exitCode)})\n`
  )
  console.log('| requests | batch list | list answers 500: one GET per batch |')
  console.log('|---|---|---|')
  console.log(`| GitHub, in all | ${listed.github} | ${single.github} |`)
  for (const [route, count] of Object.entries(listed.githubByRoute))
    console.log(`| ${route} | ${count} | ${single.githubByRoute[route] ?? 0} |`)
  console.log(`| Together, in all | ${listed.together} | ${single.together} |`)
  console.log(`| Together: GET /v1/batches | ${listed.lists} | ${single.lists} |`)
  console.log(`| Together: GET /v1/batches/{id} | ${listed.gets} | ${single.gets} |`)
}

const part = process.argv[2]
if (!part || part === 'minutes') minutesTable()
if (!part || part === 'virtual') {
  await virtualTable()
  await manyTable(POLL_MS, PHASES)
}
if (!part || part === 'report') await reportTable()
if (!part || part === 'process') await processTable()
if (!part || part === 'submit') await submitTable()
if (!part || part === 'list') await listTables()
