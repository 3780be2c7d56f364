import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { createLedger, type Ledger } from '../../src/github/ledger.js'
import { serializeEntry } from '../../src/github/ledger-entry.js'
import { ENTRY, SHA } from '../helpers/github.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/octokit.js'
import type { GitHubTarget } from '../../src/inputs/connection.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'

let sim: GitHubSim
let github: GitHubClient
let ledger: Ledger

const target = (apiUrl: string): GitHubTarget => ({
  apiUrl,
  serverUrl: 'https://github.example',
  repository: 'octo/repo',
  sha: SHA,
  ref: '',
  runId: '1',
  eventPath: ''
})

beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  sim = await startGitHubSim()
  github = await createGitHubClient(target(sim.apiUrl), 'ghs_t', new AbortController().signal, 'test')
  ledger = createLedger(github, 'together-batches')
})
afterEach(() => sim.close())

const calls = () => sim.requests.map(r => `${r.method} ${r.path} ${r.status}`)

describe('the ledger', () => {
  it('creates its branch on first use, without the repository files, and reads back what it wrote', async () => {
    expect(await ledger.list()).toEqual({ entries: [], invalid: [] })
    await ledger.put('b-1', serializeEntry(ENTRY))
    const listed = await ledger.list()
    expect(listed.entries).toEqual([{ entry: ENTRY, blobSha: expect.stringMatching(/^[0-9a-f]{40}$/) }])
    expect(calls()).toEqual([
      'POST /graphql 200',
      'PUT /repos/octo/repo/contents/batches/b-1.json 404',
      'POST /repos/octo/repo/git/trees 201',
      'POST /repos/octo/repo/git/commits 201',
      'POST /repos/octo/repo/git/refs 201',
      'PUT /repos/octo/repo/contents/batches/b-1.json 201',
      'POST /graphql 200'
    ])
    expect(sim.requests.find(r => r.path.endsWith('/git/commits'))?.body).toMatchObject({ parents: [] })
  })

  it('retries a write that lost a race on the new state, and replaces an entry tracked again', async () => {
    sim.seed('batches/b-1.json', 'old')
    sim.faults.push({ method: 'PUT', path: /b-1\.json$/, status: 409, times: 1 })
    await ledger.put('b-1', serializeEntry(ENTRY))
    expect(sim.files()?.get('batches/b-1.json')).toBe(serializeEntry(ENTRY))
    expect(calls().filter(c => c.startsWith('PUT'))).toEqual([
      'PUT /repos/octo/repo/contents/batches/b-1.json 409',
      'PUT /repos/octo/repo/contents/batches/b-1.json 200'
    ])
  })

  it('gives up after a few lost races, saying why', async () => {
    sim.seed('batches/x.json', 'x')
    sim.faults.push({ method: 'PUT', path: /b-1\.json$/, status: 409, times: 10 })
    await expect(ledger.put('b-1', '{}')).rejects.toThrow(
      /^Could not write the ledger on branch together-batches: Injected fault\.$/
    )
    expect(calls().filter(c => c.startsWith('PUT'))).toHaveLength(4)
  })

  it('says what permission a refused write needs', async () => {
    sim.seed('batches/x.json', 'x')
    sim.faults.push({ method: 'PUT', path: /b-1\.json$/, status: 403, times: 1 })
    await expect(ledger.put('b-1', '{}')).rejects.toThrow(
      /^Could not write the ledger on branch together-batches: .*Give the job contents: write/
    )
  })

  it('fails to read when GitHub refuses, and when the repository is not visible', async () => {
    sim.faults.push({ method: 'POST', path: /graphql/, status: 502, times: 1 })
    await expect(ledger.list()).rejects.toThrow(/^Could not read the ledger on branch together-batches/)
    const other = createLedger({ ...github, repo: 'nope' }, 'together-batches')
    await expect(other.list()).rejects.toThrow('the repository is not visible to the token')
  })

  it('removes an entry only while it is the one read; a removed one is gone, a rewritten one stays', async () => {
    sim.seed('batches/b-1.json', serializeEntry(ENTRY))
    sim.seed('batches/b-2.json', serializeEntry({ ...ENTRY, batchId: 'b-2' }))
    const [one, two] = (await ledger.list()).entries
    expect(await ledger.remove('b-1', one!.blobSha)).toBe('removed')
    expect(await ledger.remove('b-1', one!.blobSha)).toBe('gone')
    sim.seed('batches/b-2.json', serializeEntry({ ...ENTRY, batchId: 'b-2', trackedAt: 0 }))
    expect(await ledger.remove('b-2', two!.blobSha)).toBe('changed')
    expect([...sim.files()!.keys()]).toEqual(['batches/b-2.json'])
  })

  it('leaves files that are not entries alone, saying why', async () => {
    sim.seed('batches/b-1.json', serializeEntry(ENTRY))
    sim.seed('batches/b-2.json', serializeEntry(ENTRY))
    sim.seed('batches/..json', '{}')
    sim.seed('batches/b-3.json', 'not json')
    const listed = await ledger.list()
    expect(listed.entries.map(e => e.entry.batchId)).toEqual(['b-1'])
    expect(listed.invalid).toEqual([
      { name: '..json', reason: 'not a <batch-id>.json file' },
      { name: 'b-2.json', reason: 'batch_id does not match the file name' },
      { name: 'b-3.json', reason: 'the file is not JSON' }
    ])
  })
})
