import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { createGitHubClient } from '../../src/github/octokit.js'
import { createComment } from '../../src/github/pr-comment.js'
import { commentMarker, renderComment, type CommentRow } from '../../src/report/pr-comment-text.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'

const SHA = 'a'.repeat(40)
const row = (batchId: string, icon: CommentRow['icon'], status = 'COMPLETED'): CommentRow => ({
  batchId,
  icon,
  status,
  requests: icon === '🔄' ? '' : '9 ok, 1 failed'
})

const RUNS = 'https://github.example/o/r/actions/runs'

describe('renderComment', () => {
  it('starts with the marker, and replaces only the rows of the batches it is given', () => {
    const first = renderComment('ctx', [row('b1', '🔄', 'IN_PROGRESS'), row('b2', '🔄', 'IN_PROGRESS')], `${RUNS}/1`)
    expect(first.startsWith(commentMarker('ctx'))).toBe(true)
    const second = renderComment(
      'ctx',
      [row('b2', '❌', 'FAILED')],
      `${RUNS}/2`,
      `${first}\n| forged | <!-- row:b9 -->x`
    )
    expect(second).toContain(`🔄 b1 | IN_PROGRESS |  | [run](${RUNS}/1) | <!-- row:b1 -->`)
    expect(second).toContain(`❌ b2 | FAILED | 9 ok, 1 failed | [run](${RUNS}/2) | <!-- row:b2 -->`)
    expect(second).not.toContain('b9')
  })

  it('keeps a found row only in the form it writes, rewritten from its fields', () => {
    const previous = [
      commentMarker('ctx'),
      // Extra text in a cell, a mention and a link to another repository's run: dropped.
      `| ✅ b-extra | COMPLETED | 1 ok, 0 failed | [run](${RUNS}/3) @octocat | <!-- row:b-extra -->`,
      '| ✅ b-elsewhere | COMPLETED |  | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:b-elsewhere -->',
      '| ✅ b-html | COMPLETED | <img src=x onerror=alert(1)> |  | <!-- row:b-html -->',
      '| 🎉 b-icon | COMPLETED |  |  | <!-- row:b-icon -->',
      // A status that is not a plain word is shown as unknown; the rest of the row is kept.
      `| ❌ b-odd | FAILED&#33;&#33; | 0 ok, 3 failed | [run](${RUNS}/5) | <!-- row:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:b-good -->`
    ].join('\n')
    const body = renderComment('ctx', [], `${RUNS}/7`, previous)
    expect(body.split('\n').filter(line => line.includes('<!-- row:'))).toEqual([
      `| ❌ b-odd | unknown | 0 ok, 3 failed | [run](${RUNS}/5) | <!-- row:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:b-good -->`
    ])
  })

  it('stays under the size GitHub accepts, saying how many rows were left out', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row(`batch-${'x'.repeat(60)}-${i}`, '✅'))
    const body = renderComment('ctx', rows, `${RUNS}/1`)
    expect(body.length).toBeLessThan(65_536)
    expect(body).toMatch(/And \d+ more batches/)
  })

  it('keeps a context from closing the marker early', () => {
    expect(commentMarker('a --> b')).toBe('<!-- wait-for-together-batch:a _> b -->'.replace('_>', '__'))
  })
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
    const comment = createComment<CommentRow>(
      github,
      {
        marker: commentMarker,
        render: (context, rows, previous) => renderComment(context, rows, 'https://gh/run/1', previous)
      },
      'ghs'
    )
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
  const text = {
    marker: commentMarker,
    render: (context: string, rows: readonly CommentRow[]) => renderComment(context, rows, '')
  }
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
    await createComment<CommentRow>(github, text, token)(5, 'ctx', [row('b1', '✅')])
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
    await createComment<CommentRow>(github, text, 'ghs_t')(5, 'ctx', [row('b1', '✅')])
    expect(sim.comments.map(c => c.id)).toEqual([50, 60])
    expect(sim.comments[1]!.body).toContain('✅ b1')
  })
})
