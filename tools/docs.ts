/**
 * `npm run docs`: rewrites the input and output tables of README.md from action.yml, between the
 * markers `<!-- inputs:start -->` / `<!-- inputs:end -->` and `<!-- outputs:start -->` /
 * `<!-- outputs:end -->`. `npm run docs -- --check` changes nothing and exits 1 when the README is out
 * of date. action.yml is the one place an input or output is described; the README follows it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import { errorMessage } from '../src/util/text.js'
import { ROOT } from './runner/run-action.js'

interface Spec {
  description?: string
  required?: boolean
  default?: string
}

/** The parts of action.yml the tables show. */
export interface ActionDocs {
  inputs?: Record<string, Spec>
  outputs?: Record<string, Spec>
}

export function readActionDocs(root: string = ROOT): ActionDocs {
  return parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionDocs
}

/** On one line, with `|` escaped so it cannot end the table cell (also inside a code span, in GFM). */
const flat = (text: string): string => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

/** Cell text: `<` escaped too, so `<batch-id>` shows as text instead of vanishing as an unknown HTML tag. */
const cell = (text: string): string => flat(text).replace(/</g, '&lt;')

/** Inline code whose content may itself hold backticks. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`'
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

function description(name: string, spec: Spec): string {
  const text = cell(spec.description ?? '')
  if (!text) throw new Error(`action.yml: '${name}' has no description.`)
  return text
}

function defaultCell(spec: Spec): string {
  if (spec.required) return '(required)'
  const value = spec.default ?? ''
  return value === '' ? "`''`" : code(flat(value))
}

/**
 * Prettier would pad every row to the widest one (a few hundred characters here); the
 * `prettier-ignore` comment keeps the rows as written, so the generator and `npm run format` agree.
 */
function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return ['<!-- prettier-ignore -->', line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function inputsTable(action: ActionDocs): string {
  const rows = Object.entries(action.inputs ?? {}).map(([name, spec]) => [
    code(name),
    defaultCell(spec),
    description(name, spec)
  ])
  return table(['input', 'default', 'description'], rows)
}

export function outputsTable(action: ActionDocs): string {
  const rows = Object.entries(action.outputs ?? {}).map(([name, spec]) => [code(name), description(name, spec)])
  return table(['output', 'description'], rows)
}

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->` with `content`. */
function replaceBetween(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) {
    throw new Error(`README.md needs exactly one '${start}' followed by '${end}'.`)
  }
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`
}

/** The README with its input and output tables as action.yml describes them. */
export function renderReadme(readme: string, action: ActionDocs): string {
  return replaceBetween(replaceBetween(readme, 'inputs', inputsTable(action)), 'outputs', outputsTable(action))
}

function main(args: string[]): number {
  const path = join(ROOT, 'README.md')
  const current = readFileSync(path, 'utf8')
  const wanted = renderReadme(current, readActionDocs())
  if (args.includes('--check')) {
    if (wanted === current) return 0
    console.error("README.md's input or output tables differ from action.yml: run 'npm run docs'.")
    return 1
  }
  if (wanted !== current) writeFileSync(path, wanted)
  console.log(wanted === current ? 'README.md is up to date.' : 'README.md: input and output tables rewritten.')
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (error) {
    console.error(errorMessage(error))
    process.exitCode = 1
  }
}
