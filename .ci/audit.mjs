// Fails when `npm audit --omit=dev` reports a high or critical vulnerability in what the action ships.
// When npm gets no audit report (the registry's audit endpoint answers with an error, or cannot be
// reached), says exactly that and passes: the check depends on the endpoint. .ci/run and the CI
// workflow both run this script, so the audit behaves the same in both.
import { spawnSync } from 'node:child_process'

const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' })

function parse(text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The first non-blank line of the first text that has one; an empty summary does not count. */
function firstLine(...texts) {
  for (const text of texts) {
    const line =
      typeof text === 'string'
        ? text
            .split('\n')
            .map(part => part.trim())
            .find(Boolean)
        : undefined
    if (line) return line
  }
  return undefined
}

/** Why there is no report, in the words of whoever gave the reason: the registry, or npm. */
function whyNoReport(report) {
  if (audit.error) return `npm could not be run: ${audit.error.message}`
  const message = firstLine(report?.error?.summary, report?.error?.detail, report?.message)
  if (typeof report?.statusCode === 'number') {
    return `the registry's audit endpoint answered HTTP ${report.statusCode}${message ? ` (${message})` : ''}`
  }
  const code = report?.error?.code ? `${report.error.code}: ` : ''
  const said = message ?? firstLine(audit.stderr)?.replace(/^npm (error|ERR!) /, '')
  if (code || said) return `npm audit failed (${code}${said ?? 'no message'})`
  return `npm audit exited ${audit.status ?? audit.signal} without a report or a message`
}

const report = parse(audit.stdout)
const counts = report?.metadata?.vulnerabilities
if (!counts) {
  console.log(`npm audit: no report, audit skipped: ${whyNoReport(report)}.`)
  process.exit(0)
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0)
console.log(`npm audit --omit=dev: ${JSON.stringify(counts)}`)
if (serious > 0) {
  console.error(`npm audit: ${serious} high or critical vulnerabilities in production dependencies.`)
  process.exit(1)
}
