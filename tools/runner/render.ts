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

/** The step summary (Markdown with HTML tables) as plain text for a terminal. */
export function renderSummary(markdown: string): string {
  return decodeEntities(
    markdown
      .replace(/<tr><th[^>]*>(.*?)<\/th><td>(.*?)<\/td><\/tr>/g, '  $1: $2')
      .replace(/<tr>((?:<t[hd]>.*?<\/t[hd]>)+)<\/tr>/g, (_, cells: string) =>
        `  ${[...cells.matchAll(/<t[hd]>(.*?)<\/t[hd]>/g)].map(m => decodeEntities(m[1]!).padEnd(14)).join('')}`.trimEnd()
      )
      .replace(/<\/?table>\n?/g, '')
      .replace(/<[^>]+>/g, '')
  )
}
