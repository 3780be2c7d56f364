/** The fields of a batch (OpenAPI `BatchJob`) that hold text: kept when they are strings or null. */
export const BATCH_TEXT_FIELDS = [
  'id',
  'user_id',
  'input_file_id',
  'status',
  'job_deadline',
  'created_at',
  'endpoint',
  'model_id',
  'output_file_id',
  'error_file_id',
  'error',
  'completed_at'
] as const

/**
 * A Together batch job as `GET /v1/batches/{id}` returns it (OpenAPI schema `BatchJob`).
 * Every field is optional and nullable: the live API omits or nulls fields freely, and the client
 * drops fields whose type is wrong rather than trusting them. `status` is upper-cased by the client
 * (known values: see `status.ts`; the live API also sends CANCELING); `progress` is a completion
 * percentage, 0 to 100.
 */
export type BatchJob = { [field in (typeof BATCH_TEXT_FIELDS)[number]]?: string | null } & {
  file_size_bytes?: number | null
  progress?: number | null
}

/** Per-call options: a caller's abort signal and a bound on how long this one request may take. */
export interface RequestOptions {
  signal?: AbortSignal
  /** Overrides the client's default per-request timeout (e.g. to stay inside a deadline). */
  timeoutMs?: number
}

/** Options of one download: the request's own, plus the size to expect and the bounds on the body. */
export interface DownloadOptions extends RequestOptions {
  /** The size the file object gives: more or fewer bytes fail the download. */
  expectedBytes?: number
  /**
   * The most downloaded: a larger `expectedBytes` is refused, and a file of unknown size is cut off
   * past it (default 10 GiB).
   */
  maxBytes?: number
  /** Longest pause between two pieces of data (default: the client's request timeout). */
  stallTimeoutMs?: number
  /** Bound on the whole download, redirects included, however steadily data trickles in (default 10 min). */
  totalTimeoutMs?: number
}

/** What the waiting engine and the entry point need from Together; implemented by `TogetherClient`. */
export interface BatchApi {
  getBatch(id: string, options?: RequestOptions): Promise<BatchJob>
  cancelBatch(id: string, options?: RequestOptions): Promise<BatchJob>
  /**
   * Every batch of the account (`GET /v1/batches`), or those `only` names, parsed like a single answer.
   * Without it, the engine reads every batch with its own `getBatch`.
   */
  listBatches?(options?: ListOptions): Promise<BatchJob[]>
}

/** Options of one batch list: the request's own, and which entries to keep. */
export interface ListOptions extends RequestOptions {
  /**
   * Keep only the entries of these batches: the others are still read (the whole answer must be JSON)
   * but dropped at once, so memory holds what is waited for, not a busy account's whole list.
   */
  only?: ReadonlySet<string>
}

/** The file side of the client: used to fetch a batch's output and error files. */
export interface FilesApi {
  getFile(id: string, options?: RequestOptions): Promise<FileInfo>
  /** Streams the file's content to `path`; returns the number of bytes written. */
  downloadFile(id: string, path: string, options?: DownloadOptions): Promise<number>
}

/** A file as `GET /v1/files` lists it (OpenAPI schema `FileResponse`), fields the submit step uses. */
export interface ListedFile {
  /** Always a plain ID: entries without one are left out of the list. */
  id: string
  filename?: string
  purpose?: string
  bytes?: number
  /** Seconds since the epoch. */
  createdAt?: number
}

/** A file as `GET /v1/files/{id}` returns it: the fields of a listed file, its ID not checked. */
export type FileInfo = Partial<ListedFile>

/** What `POST /v1/batches` answers (OpenAPI schema `BatchJobWithWarning`): the new batch, and a warning. */
export interface CreatedBatch {
  job: BatchJob & { id: string }
  /** Server text, for the log. */
  warning?: string
}

/** Options of one upload: the request's own, plus the bound on sending the file and a retry policy. */
export interface UploadOptions extends RequestOptions {
  /** Bound on sending the whole file, and on each multipart upload (default 10 minutes). */
  totalTimeoutMs?: number
  /**
   * Runs each step of the upload (start, send, preprocess), so a caller can retry a step that failed
   * on its own without starting over; the default runs it once.
   */
  attempt?: <T>(what: string, step: () => Promise<T>) => Promise<T>
  /** Told the new file's ID as soon as Together gives it, before the bytes are sent. */
  onStarted?: (fileId: string) => void
}

/** The submit side of the client: find or upload an input file, find or create a batch. */
export interface SubmitApi {
  listFiles(options?: RequestOptions): Promise<ListedFile[]>
  /** Uploads `path` as `fileName` (a plain name) with purpose `batch-api`; returns the new file. */
  uploadFile(path: string, fileName: string, options?: UploadOptions): Promise<ListedFile>
  /** Every batch of the account. */
  listBatches(options?: RequestOptions): Promise<BatchJob[]>
  /** Creates a batch: not idempotent, so a caller that lost the answer lists batches before trying again. */
  createBatch(inputFileId: string, endpoint: string, options?: RequestOptions): Promise<CreatedBatch>
}

/** A model's list prices in US dollars per million tokens (OpenAPI schema `Pricing`, fields the action uses). */
export interface ModelPricing {
  input: number
  output: number
}

/** A model object from `GET /v1/models` (OpenAPI schema `ModelInfo`), fields the action uses. */
export interface ModelInfo {
  id: string
  /** Absent when the entry has no usable prices. */
  pricing?: ModelPricing
}

/** The model side of the client: used to price the tokens a batch used. */
export interface ModelsApi {
  listModels(options?: RequestOptions): Promise<ModelInfo[]>
}
