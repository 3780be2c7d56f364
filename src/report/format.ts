import { escapeText } from './escape.js'

const BAR_WIDTH = 20

/** `████████░░░░░░░░░░░░` for 40 %. */
export function progressBar(progress: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, progress)) / 100) * BAR_WIDTH)
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled)
}

/** An ID as code: hyphens and dots are left as they are, so it reads and copies as the ID it is. */
export const code = (text: string | null | undefined): string => `<code>${escapeText(text, 200)}</code>`

/** A row of a two-column table: the heading on the left, then its cell (HTML, escaped by the caller). */
export const tableRow = (name: string, html: string): string => `<tr><th align="left">${name}</th><td>${html}</td></tr>`
