import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { changelogSection } from '../tools/changelog-section.js'
import { ROOT } from '../tools/runner/run-action.js'

const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

describe('CHANGELOG.md', () => {
  it('keeps an Unreleased section at the top for work in progress', () => {
    expect(changelog.match(/^## .*/m)?.[0]).toBe('## Unreleased')
  })

  it("has release notes for package.json's version, right below Unreleased", () => {
    const headings = [...changelog.matchAll(/^## (.*)$/gm)].map(m => m[1]!)
    expect(headings[1]).toMatch(new RegExp(`^${pkg.version.replace(/\./g, '\\.')}( |$)`))
    expect(changelogSection(changelog, pkg.version).length).toBeGreaterThan(100)
  })
})

describe('changelogSection', () => {
  const text = [
    '# Changelog',
    '',
    '## Unreleased',
    '',
    '## 1.10.0 — 2026-03-01',
    '',
    '- Ten.',
    '',
    '## [1.1.0]',
    '',
    '### Added',
    '',
    '- One.',
    '',
    '## 1.0.0',
    '',
    '## 0.9.0',
    '- Old.'
  ].join('\n')

  it('returns the body of one version, up to the next version, without its heading', () => {
    expect(changelogSection(text, '1.10.0')).toBe('- Ten.')
    expect(changelogSection(text, 'v1.1.0')).toBe('### Added\n\n- One.')
    expect(changelogSection(text, '0.9.0')).toBe('- Old.')
  })

  it('refuses a version without a section, or with an empty one, so no release goes out without notes', () => {
    expect(() => changelogSection(text, '1.1')).toThrow("no '## 1.1' section")
    expect(() => changelogSection(text, '2.0.0')).toThrow("no '## 2.0.0' section")
    expect(() => changelogSection(text, '1.0.0')).toThrow('is empty')
  })
})

describe('release workflow', () => {
  const text = readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')
  const workflow = parse(text) as {
    on: { push: { tags: string[] } }
    jobs: Record<string, { permissions?: Record<string, string> }>
  }

  it('runs on vX.Y.Z tags and has contents: write only in its job', () => {
    expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+'])
    expect(Object.values(workflow.jobs).map(job => job.permissions)).toEqual([{ contents: 'write' }])
  })

  it("refuses to publish while README.md documents inputs or outputs the tag's action.yml lacks", () => {
    const check = text.indexOf('node_modules/.bin/tsx tools/readme-usage.ts')
    expect(check).toBeGreaterThan(0)
    expect(text.indexOf('npm run docs -- --check')).toBeGreaterThan(0)
    // Before anything is published.
    expect(check).toBeLessThan(text.indexOf('gh release create'))
  })

  it('checks dist/, publishes the CHANGELOG section and moves the major tag', () => {
    expect(text).toContain('npm run build')
    expect(text).toContain('git diff --quiet -- dist')
    expect(text).toContain('tools/changelog-section.ts "$VERSION"')
    expect(text).toContain('gh release create')
    expect(text).toContain('refs/tags/$MAJOR')
  })
})
