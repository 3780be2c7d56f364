/**
 * The floor of the stack, for `npm run bench`: the least a JavaScript action on @actions/core and
 * undici does before its first request — read the inputs, mask the key, send one GET through an
 * undici Agent. The bench bundles it with ncc the way the action is bundled and times it the same
 * way, so "spawn to first request" can be read as the stack's floor plus what this action adds.
 */
import * as core from '@actions/core'
import { Agent, request } from 'undici'

const key = core.getInput('api-key')
core.setSecret(key)
const url = `${core.getInput('base-url')}/batches/${encodeURIComponent(core.getInput('batch-id'))}`
const dispatcher = new Agent()
const response = await request(url, { dispatcher, headers: { authorization: `Bearer ${key}` } })
core.info(`HTTP ${String(response.statusCode)}`)
await response.body.dump()
await dispatcher.close()
