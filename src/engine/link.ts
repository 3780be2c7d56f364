/** An abort signal of its own, that also follows `parent`; `release` detaches it from `parent`. */
export interface Link {
  signal: AbortSignal
  abort(): void
  release(): void
}

export function link(parent?: AbortSignal): Link {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort()
  if (parent?.aborted) controller.abort()
  else parent?.addEventListener('abort', onAbort, { once: true })
  const release = (): void => parent?.removeEventListener('abort', onAbort)
  return {
    signal: controller.signal,
    release,
    abort: () => {
      release()
      controller.abort()
    }
  }
}
