/** The bench's arithmetic and Markdown rows, shared by its parts. */

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
/** ms as seconds with one decimal: `1.8s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

export const row = (cells: (string | number)[]): void => console.log(`| ${cells.join(' | ')} |`)

/** A table's header row and its separator. */
export function header(cells: string[]): void {
  row(cells)
  console.log(`|${cells.map(() => '---').join('|')}|`)
}
