import { afterAll } from '@jest/globals'
import nock from 'nock'

// Unit tests never reach the network; the client and end-to-end suites re-enable loopback only.
nock.disableNetConnect()

// Each test file loads its own copy of nock, which patches Node's shared http/net modules: take the
// patch off after the file, or the next file's copy stacks on top of it.
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
  nock.restore()
})
