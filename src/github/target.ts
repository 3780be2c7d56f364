/** The workflow run as the runner describes it in its environment (read by settings). */
export interface GitHubTarget {
  apiUrl: string
  serverUrl: string
  /** `owner/repo`; '' outside Actions. */
  repository: string
  sha: string
  /** GITHUB_REF, recorded in the ledger. */
  ref: string
  runId: string
  /** The event payload's file, for a pull request's head commit. */
  eventPath: string
}
