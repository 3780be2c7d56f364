/**
 * `npx tsx tools/changelog-section.ts 1.2.3` (or `v1.2.3`): prints the CHANGELOG.md section of that
 * version, without its heading: the release notes the release workflow publishes. Exits 1 when the
 * version has no section or the section is empty, so a tag cannot be released without notes.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { escapeRegExp } from '../src/sanitize/redact.js'
import { errorMessage } from '../src/util/text.js'
import { ROOT } from './runner/run-action.js'

/**
 * The body of the `## <version>` section (a heading such as `## 1.2.3 — 2026-01-31` or `## [1.2.3]`),
 * up to the next `## ` heading, trimmed. Throws when there is no such section or it is empty.
 */
export function changelogSection(changelog: string, version: string): string {
  const bare = version.replace(/^v/, '')
  const heading = new RegExp(`^## \\[?v?${escapeRegExp(bare)}\\]?(?:\\s|$)`)
  const lines = changelog.split(/\r?\n/)
  const start = lines.findIndex(line => heading.test(line))
  if (start < 0) throw new Error(`CHANGELOG.md has no '## ${bare}' section.`)
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(line => line.startsWith('## '))
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
  if (!body) throw new Error(`CHANGELOG.md's '## ${bare}' section is empty.`)
  return body
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const version = process.argv[2] ?? ''
  try {
    if (!/^v?\d+\.\d+\.\d+$/.test(version)) throw new Error(`Expected a version such as 1.2.3, got '${version}'.`)
    console.log(changelogSection(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), version))
  } catch (error) {
    console.error(errorMessage(error))
    process.exitCode = 1
  }
}
