/**
 * One preflight or one upload in a process of its own, for `tools/bench/submit.ts`, which bundles this
 * file with ncc as the action is bundled: prints its time, what it counted and the process's peak RSS
 * as JSON. `baseline` only loads the modules, for the floor of that figure.
 *   node <bundle> preflight <file.jsonl>
 *   node <bundle> upload <file.jsonl> <base URL> <API key>
 *   node <bundle> baseline
 */
import { basename, dirname } from 'node:path'
import { parseInputFile } from '../../src/result-files/input-file.js'
import { preflight } from '../../src/submit/preflight.js'
import { TogetherClient } from '../../src/together/client.js'

const [mode, path = '', baseUrl, apiKey = ''] = process.argv.slice(2)
const started = performance.now()
let figures = { bytes: 0, requests: 0, problems: 0 }
if (mode === 'preflight') {
  const report = await preflight(parseInputFile(basename(path), dirname(path))!, '/v1/chat/completions')
  figures = { bytes: report.bytes, requests: report.requests, problems: report.problems.length }
} else if (mode === 'upload') {
  const client = new TogetherClient({ apiKey, baseUrl, proxy: {} })
  const file = await client.uploadFile(path, 'bench.jsonl')
  figures.bytes = file.bytes ?? 0
  await client.close()
}
console.log(JSON.stringify({ ms: performance.now() - started, ...figures, peakRssKiB: process.resourceUsage().maxRSS }))
