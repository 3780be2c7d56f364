import { FINAL_STATUSES, normalizeStatus, type FinalStatus } from '../together/status.js'
import type { Tally } from '../result-files/tally.js'
import { quoted } from '../util/text.js'

/** `max-failed-requests`: a count of requests, or a percentage of all requests. */
export type Gate = { count: number } | { percent: number }

/**
 * How a batch is judged: which final statuses fail it, how many failed requests it may have, what it
 * may cost, and the discount its cost is estimated with. Built once from the inputs (settings) or
 * from a ledger entry, both through `parsePolicy`, so a gate is never read two ways.
 */
export interface Policy {
  failOn: ReadonlySet<FinalStatus>
  /** `max-failed-requests`, when set. */
  requestGate?: Gate
  /** `max-cost` in US dollars, when set. */
  maxCost?: number
  /** `batch-discount` in percent, when set; otherwise costs are at list prices. */
  batchDiscount?: number
}

/** A policy as written: the inputs' text, or what a ledger entry recorded ('' for unset). */
export interface PolicyText {
  failOn: string
  maxFailedRequests: string
  maxCost: string
  batchDiscount: string
}

function parseFailOn(text: string): Set<FinalStatus> {
  const set = new Set<FinalStatus>()
  for (const word of text.split(/[\s,]/).filter(Boolean)) {
    const status = normalizeStatus(word)
    if (status === 'COMPLETED' || !(FINAL_STATUSES as readonly string[]).includes(status)) {
      throw new Error(
        `Invalid fail-on status ${quoted(word, 100)}. Expected a list of FAILED, EXPIRED, CANCELLED (comma or space separated), or none.`
      )
    }
    set.add(status as FinalStatus)
  }
  return set
}

/** Parses `25` or `2%` / `2.5%`; undefined for '' (no gate). Throws a one-line message otherwise. */
function parseGate(text: string): Gate | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw)
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) }
  if (/^\d+$/.test(raw)) return { count: Number(raw) }
  throw new Error(
    `Invalid max-failed-requests ${quoted(raw, 100)}. Expected a number of requests (e.g. 0 or 25) or a percentage of all requests (e.g. 2%).`
  )
}

/** Parses `batch-discount`: `50` or `50%`, 0 to 100; undefined for '' (list prices). */
function parseDiscount(text: string): number | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw)
  if (match && Number(match[1]) <= 100) return Number(match[1])
  throw new Error(
    `Invalid batch-discount ${quoted(raw, 100)}. Expected a percentage from 0 to 100 (e.g. 50 or 50%), or empty for list prices.`
  )
}

/** Parses `max-cost`: US dollars such as `25`, `2.50` or `$10`; undefined for '' (no limit). */
function parseMaxCost(text: string): number | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const match = /^\$?\s*(\d+(?:\.\d+)?)$/.exec(raw)
  if (match && Number.isFinite(Number(match[1]))) return Number(match[1])
  throw new Error(
    `Invalid max-cost ${quoted(raw, 100)}. Expected an amount in US dollars (e.g. 25 or 2.50), or empty for no limit.`
  )
}

/** The one parser of a policy, for the inputs and for a ledger entry. Throws a one-line message. */
export function parsePolicy(text: PolicyText): Policy {
  const requestGate = parseGate(text.maxFailedRequests)
  const maxCost = parseMaxCost(text.maxCost)
  const batchDiscount = parseDiscount(text.batchDiscount)
  return {
    failOn: parseFailOn(text.failOn),
    ...(requestGate === undefined ? {} : { requestGate }),
    ...(maxCost === undefined ? {} : { maxCost }),
    ...(batchDiscount === undefined ? {} : { batchDiscount })
  }
}

/** A number as plain decimals, never in exponent form (which the parsers refuse). */
const decimals = (n: number): string => n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })

export const describeGate = (gate: Gate): string => ('count' in gate ? String(gate.count) : `${gate.percent}%`)

/** The policy written back as text that `parsePolicy` reads to the same policy (what the ledger records). */
export function policyText(policy: Policy): PolicyText {
  return {
    failOn: [...policy.failOn].join(','),
    maxFailedRequests: policy.requestGate ? describeGate(policy.requestGate) : '',
    maxCost: policy.maxCost === undefined ? '' : decimals(policy.maxCost),
    batchDiscount: policy.batchDiscount === undefined ? '' : decimals(policy.batchDiscount)
  }
}

/** Whether the failed requests exceed the gate. */
export function exceeds(tally: Tally, gate: Gate): boolean {
  if ('count' in gate) return tally.failed > gate.count
  const total = tally.succeeded + tally.failed
  // With no requests the share is NaN, and NaN > percent is false: no gate is exceeded.
  return (tally.failed / total) * 100 > gate.percent
}

/** Whether the policy asks for the result files (to count requests or price tokens). */
export const needsResults = (policy: Policy): boolean =>
  [policy.requestGate, policy.maxCost, policy.batchDiscount].some(v => v !== undefined)
