import { readActionYaml } from '../../tools/runner/run-action.js'

/**
 * The inputs as the runner fills them in from action.yml's defaults, with a stand-in for
 * `${{ github.token }}` (an expression only the runner evaluates) and the given values on top.
 */
export function actionInputs(values: Record<string, string> = {}): Record<string, string> {
  const defaults = Object.fromEntries(
    Object.entries(readActionYaml().inputs ?? {}).map(([name, spec]) => [name, spec.default ?? ''])
  )
  return { ...defaults, 'github-token': 'ghs_stand_in', ...values }
}
