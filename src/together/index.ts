/** Together batch API client: usable on its own, independent of GitHub Actions. */
export { TogetherClient, DEFAULT_BASE_URL, defaultDispatcher, encodeId, type TogetherClientOptions } from './client.js'
export { TogetherError, type TogetherErrorKind } from './errors.js'
export { parseBatchJob, parseBatchList, parseFileInfo, errorMessageOf } from './parse.js'
export { parseRetryAfter } from './retry-after.js'
export type { BatchApi, BatchJob, FileInfo, FilesApi, RequestOptions } from './types.js'
export { parseModelList, type ModelInfo, type ModelsApi } from './models.js'
