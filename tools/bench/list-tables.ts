import { listCost, listPeakRss, manyTogether, type ManyFigures } from './list.js'
import { header, mean, median, row, seconds } from './table.js'

/** 200 batches finishing together, read with one list per check and with a GET per batch (virtual time). */
export async function manyTable(pollMs: number, phases: number): Promise<void> {
  const count = 200
  const latencyMs = 250
  console.log(
    `\n## ${count} batches finishing together: one list per check vs one GET per batch (virtual time, ${latencyMs} ms per answer, poll-interval 30s, ${phases} phases each)\n`
  )
  header([
    'progress',
    'reading',
    'checks',
    'list requests',
    'own GETs',
    'requests per check',
    'requests per batch state read',
    'last finish to step end (median, max)'
  ])
  for (const linear of [false, true]) {
    for (const list of [false, true]) {
      const runs: ManyFigures[] = []
      for (let phase = 0; phase < phases; phase++) {
        const finishMs = 10 * 60_000 + Math.round((phase / phases) * pollMs) + 137
        runs.push(await manyTogether(count, { list, latencyMs, finishMs, pollIntervalMs: pollMs, linear }))
      }
      const checks = mean(runs.map(r => r.checks))
      const requests = mean(runs.map(r => r.lists + r.gets))
      const after = runs.map(r => r.afterFinishMs)
      row([
        linear ? 'linear' : 'flat',
        list ? 'one list per check' : 'one GET per batch',
        checks.toFixed(1),
        mean(runs.map(r => r.lists)).toFixed(1),
        mean(runs.map(r => r.gets)).toFixed(1),
        (requests / checks).toFixed(1),
        (requests / mean(runs.map(r => r.reads))).toFixed(3),
        `${seconds(median(after))}, ${seconds(Math.max(...after))}`
      ])
    }
  }
}

/** What a check costs by batch count, and a busy account's list: time, parse, peak RSS of the bundle. */
export async function listTables(): Promise<void> {
  console.log('\n## What one check costs the client, on loopback (median of 9)\n')
  const small = await listCost(0)
  const busy = await listCost(6000)
  header([
    'batches waited for',
    'own GETs: requests',
    'own GETs: time',
    'list: requests',
    'list of 4 batches',
    'list of 6,004 batches'
  ])
  for (const n of [1, 2, 3, 4, 8, 50]) {
    const sweep = (n - 1) * 250 + small.getMs
    row([n, n, `${sweep.toFixed(0)} ms`, 1, `${small.listMs.toFixed(0)} ms`, `${busy.listMs.toFixed(0)} ms`])
  }
  console.log(`\nOwn GETs are paced 250 ms apart; one GET takes ${small.getMs.toFixed(1)} ms here.\n`)
  console.log('## A busy account: the list of 6,000 past batches and 4 running\n')
  const once = [await listPeakRss(0, '0'), await listPeakRss(6000, '0')]
  const long = await Promise.all([listPeakRss(0, '20s'), listPeakRss(6000, '20s')])
  header(['figure', 'value'])
  row(['list answer', `${(busy.bytes / 1024 ** 2).toFixed(2)} MiB (${(busy.bytes / 6004).toFixed(0)} bytes per batch)`])
  row(['`listBatches` as the engine asks (the 4 waited for kept)', `${busy.listMs.toFixed(0)} ms`])
  row(['the same, all 6,004 entries kept and validated', `${busy.listAllMs.toFixed(0)} ms`])
  row(['the same request read as text, unparsed', `${busy.fetchMs.toFixed(0)} ms`])
  row(['`JSON.parse` of the same text alone', `${busy.jsonParseMs.toFixed(0)} ms`])
  row([
    'peak RSS of the bundle, one list (`timeout: 0`)',
    `${once[1]!.peakMiB.toFixed(0)} MiB (list of 4: ${once[0]!.peakMiB.toFixed(0)} MiB)`
  ])
  row([
    `peak RSS over 20 s at one list a second (${long[1].lists} lists)`,
    `${long[1].peakMiB.toFixed(0)} MiB (list of 4: ${long[0].peakMiB.toFixed(0)} MiB)`
  ])
}
