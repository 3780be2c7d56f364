/** How a batch's status and progress evolve over its run: `share` is elapsed / total duration (0..1). */
export interface Profile {
  name: string
  /** Whether progress says enough to predict the finish (the ≤ 2 s detection target applies). */
  informative: boolean
  at(share: number): { status: string; progress: number }
}

const round2 = (n: number): number => Math.round(n * 100) / 100
const running = (progress: number) => ({ status: 'IN_PROGRESS', progress: round2(progress) })

/** Deterministic pseudo-random numbers in [0, 1), so the bench prints the same table every run. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/** Progress that advances in 25 bursts of random size at random moments. */
const BURSTS = (() => {
  const random = seeded(7)
  const points = Array.from({ length: 25 }, () => [random(), random()] as const).sort((a, b) => a[0] - b[0])
  const total = points.reduce((sum, [, size]) => sum + size, 0)
  let acc = 0
  return points.map(([at, size]) => ({ at, progress: (acc += (100 * size) / total) }))
})()

export const PROFILES: Profile[] = [
  { name: 'linear', informative: true, at: s => running(100 * s) },
  { name: 'front-loaded', informative: true, at: s => running(100 * Math.sqrt(s)) },
  { name: 'back-loaded', informative: true, at: s => running(100 * s * s) },
  {
    name: 'long VALIDATING',
    informative: true,
    at: s => (s < 0.4 ? { status: 'VALIDATING', progress: 0 } : running((100 * (s - 0.4)) / 0.6))
  },
  {
    name: 'stall-then-jump',
    informative: false,
    at: s => running(s < 0.3 ? (50 * s) / 0.3 : s < 0.9 ? 50 : 50 + (50 * (s - 0.9)) / 0.1)
  },
  { name: '10% steps', informative: false, at: s => running(Math.floor(10 * s) * 10) },
  {
    name: 'irregular bursts',
    informative: false,
    at: s => running(Math.min(99, [...BURSTS].reverse().find(b => b.at <= s)?.progress ?? 0))
  },
  { name: 'no progress', informative: false, at: () => running(0) }
]
