import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { createGitHubClient } from '../../src/github/octokit.js'
import { createComment } from '../../src/github/pr-comment.js'
import { commentMarker, type CommentRow } from '../../src/report/pr-comment-text.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'

const SHA = 'a'.repeat(40)
const row = (batchId: string, icon: CommentRow['icon'], status = 'COMPLETED'): CommentRow => ({
  batchId,
  icon,
  status,
  ...(icon === '🔄' ? {} : { requests: { ok: 9, failed: 1 } }),
  reason: ''
})

let sim: GitHubSim
beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  sim = await startGitHubSim()
})
afterEach(async () => {
  await sim.close()
})

const target = () => ({
  apiUrl: sim.apiUrl,
  serverUrl: 'https://gh',
  repository: 'octo/repo',
  sha: SHA,
  ref: '',
  runId: '1',
  eventPath: ''
})

describe('createComment', () => {
  it('creates the comment once, then edits it in place; a refusal is said once', async () => {
    const github = await createGitHubClient(target(), 'ghs', new AbortController().signal, 'test')
    const comment = createComment(github, 'ghs', 'https://gh/run/1')
    sim.comments.push({ id: 99, issue: 5, body: 'someone else' })
    await comment(5, 'ctx', [row('b1', '🔄')])
    await comment(5, 'ctx', [row('b1', '✅')])
    await comment(5, 'other', [row('b1', '✅')])
    expect(sim.comments.map(c => c.id)).toEqual([99, 100, 101])
    expect(sim.comments[1]!.body).toContain('✅ b1')
    sim.faults.push({ method: 'GET', path: /comments$/, status: 403, times: 1 })
    await expect(comment(5, 'ctx', [])).rejects.toThrow('pull-requests: write')
    await expect(comment(5, 'ctx', [])).rejects.toThrow('skipped, GitHub refused the previous comment')
  })
})

describe('whose comment is edited', () => {
  const forged = (user: { login: string; type: 'Bot' | 'User' }) => ({
    id: 50,
    issue: 5,
    body: `${commentMarker('ctx')}\n| ✅ b-forged | COMPLETED |  |  | <!-- row:b-forged -->`,
    user
  })

  it.each([
    [
      'an installation token (GITHUB_TOKEN) skips a user’s',
      'ghs_installation',
      { login: 'mallory', type: 'User' as const }
    ],
    ['a personal token skips another user’s', 'ghp_personal', { login: 'mallory', type: 'User' as const }],
    ['a personal token skips a bot’s', 'ghp_personal', { login: 'other[bot]', type: 'Bot' as const }]
  ])('%s marker comment, and makes its own', async (_case, token, author) => {
    sim.viewer = token.startsWith('ghs_')
      ? { login: 'github-actions[bot]', type: 'Bot' }
      : { login: 'me', type: 'User' }
    sim.comments.push(forged(author))
    const github = await createGitHubClient(target(), token, new AbortController().signal, 'test')
    await createComment(github, token, '')(5, 'ctx', [row('b1', '✅')])
    expect(sim.comments.map(c => [c.id, c.user?.login])).toEqual([
      [50, author.login],
      [51, sim.viewer.login]
    ])
    expect(sim.comments[0]!.body).toContain('b-forged')
    expect(sim.comments[1]!.body).not.toContain('b-forged')
  })

  it('edits its own marker comment, whoever else wrote one first', async () => {
    sim.comments.push(forged({ login: 'mallory', type: 'User' }))
    sim.comments.push({ id: 60, issue: 5, body: `${commentMarker('ctx')}\n`, user: sim.viewer })
    const github = await createGitHubClient(target(), 'ghs_t', new AbortController().signal, 'test')
    await createComment(github, 'ghs_t', '')(5, 'ctx', [row('b1', '✅')])
    expect(sim.comments.map(c => c.id)).toEqual([50, 60])
    expect(sim.comments[1]!.body).toContain('✅ b1')
  })
})
