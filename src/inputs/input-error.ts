/** Reads one input as the runner provides it (`core.getInput`); '' when unset. */
export type InputReader = (name: string) => string

/** A problem with the workflow's inputs; its message names the input and the expected form. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}
