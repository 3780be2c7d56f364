import { isCleanLine } from '../sanitize/sanitize.js'
import { quoted } from '../util/text.js'
import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'

/** `input-file`, validated: a file inside the workspace. */
export interface InputFile {
  /** Absolute path. */
  path: string
  /** Relative to the workspace with `/` separators: what an annotation names. */
  name: string
  /** The workspace the file must stay inside. */
  workspace: string
}

/**
 * Parses `input-file`: a path relative to the workspace (an absolute path is accepted when it lies
 * inside). Undefined for ''. Throws a one-line message for a path that leaves the workspace (`..`,
 * an absolute path elsewhere) or holds control characters.
 */
export function parseInputFile(text: string, workspace: string): InputFile | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  // Controls, line breaks and bidi marks are shown as escapes, so the message stays on one readable line.
  const shown = quoted(raw, 200)
  const expected = `Expected a path to a JSONL file inside the workspace (${workspace}), relative to it, e.g. evals/batch.jsonl.`
  if (!isCleanLine(raw)) throw new Error(`Invalid input-file ${shown}: it holds control characters. ${expected}`)
  const path = resolve(workspace, raw)
  const inside = relative(workspace, path)
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new Error(`Invalid input-file ${shown}: it is not inside the workspace. ${expected}`)
  }
  return { path, name: inside.split(sep).join('/'), workspace }
}

/** The input file, symbolic links resolved, if it is a regular file inside the workspace. */
export async function checkedPath(file: InputFile): Promise<string> {
  const real = await realpath(file.path)
  const inside = relative(await realpath(file.workspace), real)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error('it leads outside the workspace through a symbolic link')
  }
  if (!(await stat(real)).isFile()) throw new Error('it is not a regular file')
  return real
}
