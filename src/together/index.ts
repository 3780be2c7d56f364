/** Together batch API client: usable on its own, independent of GitHub Actions. */
export { TogetherClient, DEFAULT_BASE_URL, encodeId, type TogetherClientOptions } from './client.js'
export { TogetherError, type TogetherErrorKind } from './errors.js'
export { isPlainId, describeBadId } from './ids.js'
export { parseBatchJob, parseBatchList, parseFileInfo, errorMessageOf } from './parse.js'
export {
  defaultDispatcher,
  parseProxyEnv,
  DEFAULT_CONNECTIONS,
  type DispatcherOptions,
  type ProxySettings
} from './proxy.js'
export { parseRetryAfter } from './retry-after.js'
export type { BatchApi, BatchJob, DownloadOptions, FileInfo, FilesApi, RequestOptions } from './types.js'
export { parseModelList, type ModelInfo, type ModelsApi } from './models.js'
