/**
 * The step's exit codes, as @actions/core numbers them. Not `core.ExitCode`: the stand-in for
 * @actions/core that @github/local-action runs the source with has no `ExitCode`, so
 * `npm run local-action` would stop at its first use (eslint refuses `core.ExitCode`).
 */
export const ExitCode = { Success: 0, Failure: 1 } as const
