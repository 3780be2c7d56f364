/** Together batch API client: what the rest of the action uses of it. */
export { TogetherClient, DEFAULT_BASE_URL, type TogetherClientOptions } from './client.js'
export { TogetherError, isTransient, type TogetherErrorKind } from './errors.js'
export { isPlainId, describeBadId, encodeId } from './ids.js'
export { defaultDispatcher, parseProxyEnv, DEFAULT_CONNECTIONS, type ProxySettings } from './proxy.js'
export type { BatchApi, BatchJob, FilesApi, RequestOptions } from './types.js'
export { parseModelList, type ModelInfo, type ModelsApi } from './models.js'
