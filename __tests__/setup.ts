import { afterAll } from '@jest/globals'
import http from 'node:http'

// Each test file loads its own copy of nock, which patches Node's shared http/net modules: the patch
// comes off after the file, or the next file's copy would stack on top of it. Jest skips afterAll in a
// file whose tests are all filtered out (`-t`, as StrykerJS runs a mutant's tests), so the next file
// first takes off a copy that is still on, before loading its own (nock patches as it loads). The
// undo is kept on the shared http module, the one object every file sees.
const shared = http as typeof http & { restoreNock?: () => void }
shared.restoreNock?.()
const { default: nock } = await import('nock')
shared.restoreNock = () => {
  nock.cleanAll()
  nock.enableNetConnect()
  nock.restore()
  shared.restoreNock = undefined
}

// Unit tests never reach the network; the client and end-to-end suites re-enable loopback only.
nock.disableNetConnect()

afterAll(() => shared.restoreNock?.())
