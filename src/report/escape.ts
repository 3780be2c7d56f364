import { clip } from '../util/text.js'

/**
 * Characters that are unsafe wherever they stand: HTML (`& < > " '`), and Markdown that makes links,
 * images, emphasis, code, strikethrough, table cells or headings (`[ ] ( ) ! * \` ~ | # \`). `@` starts
 * mentions and e-mail autolinks; `$` starts GitHub's math.
 */
const ALWAYS = /[&<>"'[\]()!*`~|#\\@$]/g

const entity = (ch: string): string => `&#${ch.charCodeAt(0)};`

/**
 * Server-provided text made inert for the step summary (Markdown with HTML), while IDs, statuses and
 * messages stay readable in the raw file: hyphens, dots, slashes, digits and words are left alone.
 * Besides `ALWAYS`:
 * - `_` only where it can open or close emphasis; between two letters or digits (`IN_PROGRESS`,
 *   `rate_limit`) GitHub never treats it as emphasis.
 * - `:` only before `/`, and the `.` of `www.`: that is what GitHub's autolinks need (`https://`,
 *   `www.`); `mailto:` and `xmpp:` links need an `@`, which is always escaped.
 * - a leading `-`, `+` or `=`, which could start a list or underline a heading.
 * Line breaks become spaces (in `clip`), so text cannot start a new block.
 */
export function escapeText(text: string | null | undefined, max = 2000): string {
  return clip(text, max)
    .replace(ALWAYS, entity)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, entity)
    .replace(/:(?=\/)/g, entity)
    .replace(/(www)\./gi, (_, w: string) => `${w}&#46;`)
    .replace(/^[-+=]/, entity)
}

/** A batch's status word, as every report shows it ('unknown' when Together gave none). */
export const statusText = (status: string): string => escapeText(status || 'unknown', 40)

/** An ID as code: hyphens and dots are left as they are, so it reads and copies as the ID it is. */
export const code = (text: string | null | undefined): string => `<code>${escapeText(text, 200)}</code>`

/** An HTML table: a row of headings, then a row of cells (HTML, escaped by the caller) for each of `rows`. */
export const htmlTable = (heads: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  '<table>',
  `<tr>${heads.map(head => `<th>${head}</th>`).join('')}</tr>`,
  ...rows.map(cells => `<tr>${cells.map(cell => `<td>${cell}</td>`).join('')}</tr>`),
  '</table>'
]

/** A row of a two-column table: the heading on the left, then its cell (HTML, escaped by the caller). */
export const tableRow = (name: string, html: string): string => `<tr><th align="left">${name}</th><td>${html}</td></tr>`
