import { expect } from '@jest/globals'
import { TogetherError } from '../../src/together/errors.js'

/** The TogetherError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<TogetherError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(TogetherError)
    return error as TogetherError
  }
  throw new Error('expected a TogetherError')
}
