/** Terminal rendering of what the runner would show: workflow commands as annotations, HTML summary as text. */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#39|amp|lt|gt|quot);/g, (_, name: string) =>
    name in NAMED ? NAMED[name]! : String.fromCharCode(Number(name.slice(1)))
  )
}

/** One line of the job log as the Actions UI would present it; undefined for lines it hides. */
export function renderLogLine(line: string, showDebug = false): string | undefined {
  const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
  if (!command) return line
  const [, name, props, message] = command
  const decoded = message!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
  switch (name) {
    case 'debug':
      return showDebug ? `[debug] ${decoded}` : undefined
    case 'warning':
    case 'error':
    case 'notice': {
      const title = /title=([^,]*)/.exec(props ?? '')?.[1]
      return `${name === 'error' ? 'Error' : name === 'warning' ? 'Warning' : 'Notice'}${title ? ` (${title})` : ''}: ${decoded}`
    }
    default:
      return undefined
  }
}

/** A cell's text: tags dropped, entities decoded. */
const cellText = (html: string): string => decodeEntities(html.replace(/<[^>]+>/g, ''))

/** Terminal columns a string takes: emoji and other wide characters count two, joiners and variation selectors none. */
function width(text: string): number {
  let total = 0
  for (const ch of text) {
    if (ch === '\u200d' || ch === '\ufe0f') continue
    total += /\p{Extended_Pictographic}/u.test(ch) ? 2 : 1
  }
  return total
}

const pad = (text: string, to: number): string => text + ' '.repeat(Math.max(0, to - width(text)))

/** An HTML table as aligned text: each column as wide as its widest cell; `head: value` rows as such. */
function renderTable(html: string): string {
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map(m => [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)])
  if (rows.every(cells => cells.length === 2 && cells[0]![0].startsWith('<th align')))
    return rows.map(cells => `  ${cellText(cells[0]![1]!)}: ${cellText(cells[1]![1]!)}`).join('\n')
  const texts = rows.map(cells => cells.map(c => cellText(c[1]!)))
  const widths = texts[0]!.map((_, i) => Math.max(...texts.map(cells => width(cells[i] ?? ''))))
  return texts.map(cells => `  ${cells.map((c, i) => pad(c, widths[i]!)).join('  ')}`.trimEnd()).join('\n')
}

const BLOCKS = '▁▂▃▄▅▆▇█'

/** A Mermaid xychart as one line of block characters, with its time span. */
function renderChart(mermaid: string): string {
  const span = /x-axis "[^"]*" 0 --> ([\d.]+)/.exec(mermaid)?.[1] ?? '?'
  const values = (/line \[(.*)\]/.exec(mermaid)?.[1] ?? '').split(',').map(Number)
  const line = values.map(v => BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((v / 100) * BLOCKS.length))]).join('')
  return `  Progress over ${span} min: ${line}`
}

/** The step summary (Markdown with HTML tables and a Mermaid chart) as plain text for a terminal. */
export function renderSummary(markdown: string): string {
  return markdown
    .replace(/```mermaid\n[^]*?\n```/g, renderChart)
    .replace(/<table>\n([^]*?)<\/table>/g, (_, rows: string) => renderTable(rows))
    .split('\n')
    .map(line => (line.startsWith('  ') ? line : cellText(line)))
    .join('\n')
}
