import nock from 'nock'

// Unit tests never reach the network; the simulator and end-to-end suites re-enable loopback only.
nock.disableNetConnect()
