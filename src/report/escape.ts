import { clip } from '../util/text.js'

/**
 * Server-provided text made inert for the step summary (Markdown with HTML): HTML is escaped, and the
 * characters Markdown would turn into links, images, emphasis, code or table cells become numeric
 * entities, as do `:` and `@` so nothing is auto-linked. Line breaks become spaces.
 */
export function escapeText(text: string | null | undefined, max = 2000): string {
  return clip(text, max)
    .replace(/[&<>"'[\]()!*_`\\|~#:@{}+=^$%-]/g, ch => `&#${ch.charCodeAt(0)};`)
    .replace(/www\./gi, m => `${m.slice(0, 3)}&#46;`)
}
