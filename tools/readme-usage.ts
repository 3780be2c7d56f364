/**
 * `npx tsx tools/readme-usage.ts`: checks that every input and output README.md and examples/*.yml
 * document exists in action.yml, and exits 1 naming each one that does not. The release workflow runs
 * it on the tagged commit, so no release goes out whose README shows `mode: track` to a `v1` that
 * answers "Unexpected input 'mode'".
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import { ROOT, readActionYaml } from './runner/run-action.js'

/** What a document uses of the action: input and output names, each with where it was found. */
export interface Usage {
  inputs: Map<string, string>
  outputs: Map<string, string>
}

interface Step {
  id?: unknown
  uses?: unknown
  with?: unknown
}

/** This action, as a workflow names it: `owner/wait-for-together-batch@ref`, or `./` in its own repository. */
const THIS_ACTION = /(^|\/)wait-for-together-batch@|^\.\/?$/

/** Every mapping with a `uses` string, wherever the snippet puts it (a job's steps, a lone step). */
function stepsOf(node: unknown): Step[] {
  if (Array.isArray(node)) return node.flatMap(stepsOf)
  if (node === null || typeof node !== 'object') return []
  const own = typeof (node as Step).uses === 'string' ? [node as Step] : []
  return [...own, ...Object.values(node).flatMap(stepsOf)]
}

/** The YAML of a document: a workflow file whole, or each ```yaml block of Markdown. */
function yamlTexts(name: string, text: string): { where: string; yaml: string }[] {
  if (!name.endsWith('.md')) return [{ where: name, yaml: text }]
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m, i) => ({ where: `${name} block ${i + 1}`, yaml: m[1]! }))
}

/** The first cell's names of a generated table, between `<!-- name:start -->` and `<!-- name:end -->`. */
function tableNames(text: string, marker: string): string[] {
  const table = text.split(`<!-- ${marker}:start -->`)[1]?.split(`<!-- ${marker}:end -->`)[0] ?? ''
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map(m => m[1]!)
}

/**
 * The inputs and outputs `documents` (name → text) use: the rows of the README's generated tables, the
 * `with:` keys of every step that uses this action, and `steps.<id>.outputs.<name>` of those steps'
 * ids (from any snippet: one may read the outputs of a step another one shows).
 */
export function documentedUsage(documents: Record<string, string>): Usage {
  const usage: Usage = { inputs: new Map(), outputs: new Map() }
  const ids = new Set<string>()
  for (const [name, text] of Object.entries(documents)) {
    for (const input of tableNames(text, 'inputs')) usage.inputs.set(input, `${name} input table`)
    for (const output of tableNames(text, 'outputs')) usage.outputs.set(output, `${name} output table`)
    for (const { where, yaml } of yamlTexts(name, text)) {
      for (const step of stepsOf(parse(yaml))) {
        if (!THIS_ACTION.test(String(step.uses))) continue
        if (typeof step.id === 'string') ids.add(step.id)
        const inputs = step.with !== null && typeof step.with === 'object' ? Object.keys(step.with) : []
        for (const input of inputs) usage.inputs.set(input, where)
      }
    }
  }
  for (const [name, text] of Object.entries(documents)) {
    for (const [, id, output] of text.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (ids.has(id!)) usage.outputs.set(output!, name)
    }
  }
  return usage
}

/** The inputs and outputs action.yml declares. */
interface ActionInterface {
  inputs?: Record<string, unknown>
  outputs?: Record<string, unknown>
}

/** One line per input or output `usage` names that `action` lacks; none when they agree. */
export function missingFromAction(usage: Usage, action: ActionInterface): string[] {
  const problems: string[] = []
  for (const [input, where] of usage.inputs) {
    if (!(input in (action.inputs ?? {}))) problems.push(`${where} uses input '${input}', which action.yml lacks.`)
  }
  for (const [output, where] of usage.outputs) {
    if (!(output in (action.outputs ?? {}))) problems.push(`${where} uses output '${output}', which action.yml lacks.`)
  }
  return problems
}

/** README.md and examples/*.yml, by their path in the repository. */
export function readDocuments(root: string = ROOT): Record<string, string> {
  const examples = readdirSync(join(root, 'examples')).filter(file => file.endsWith('.yml'))
  const documents: Record<string, string> = { 'README.md': readFileSync(join(root, 'README.md'), 'utf8') }
  for (const file of examples) documents[`examples/${file}`] = readFileSync(join(root, 'examples', file), 'utf8')
  return documents
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = missingFromAction(documentedUsage(readDocuments()), readActionYaml())
  for (const problem of problems) console.error(problem)
  if (problems.length === 0) console.log('README.md and examples/ use only inputs and outputs action.yml has.')
  process.exitCode = problems.length === 0 ? 0 : 1
}
