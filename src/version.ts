/** The action's version, sent in the User-Agent. Kept equal to package.json's by a test. */
export const VERSION = '1.1.0'
export const USER_AGENT = `wait-for-together-batch/${VERSION}`
