import * as core from '@actions/core'
import type { Logger } from '../util/effects.js'
import type { Annotation } from '../result-files/annotations.js'
import { createRedactor } from '../sanitize/redact.js'
import { sanitizeLine } from '../sanitize/sanitize.js'
import { errorMessage } from '../util/text.js'

/** Everything that leaves the process goes through here: secrets out first, then one safe line. */
export interface RedactingOutput {
  redact(text: string): string
  log: Logger & { error(message: string, title?: string): void; annotate(annotation: Annotation): void }
}

export function redactingOutput(secrets: string[]): RedactingOutput {
  const redact = createRedactor(secrets)
  const line = (message: string): string => sanitizeLine(redact(message))
  return {
    redact,
    log: {
      info: message => core.info(line(message)),
      debug: message => core.debug(line(message)),
      warning: message => core.warning(line(message)),
      error: (message, title) => core.error(line(message), title ? { title: line(title) } : {}),
      annotate: ({ file, line: startLine, title, message }) =>
        core.error(line(message), { file, startLine, title: line(title) })
    }
  }
}

/** Appends the summary, redacted; a summary that cannot be written is a warning, never the outcome. */
export async function writeSummary(out: RedactingOutput, markdown: string, available: boolean): Promise<void> {
  try {
    await core.summary.addRaw(out.redact(markdown)).write({ overwrite: false })
  } catch (error) {
    const message = `Could not write the step summary: ${errorMessage(error)}`
    if (available) out.log.warning(message)
    else out.log.debug(message)
  }
}
