/** Options of the retrying fetch wrapper. */
export interface RetryOptions {
  fetch?: typeof fetch;
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff; doubles each retry, with jitter. */
  baseDelayMs?: number;
  /** Longest wait honoured from Retry-After: a server asking for more is treated as down. */
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: { url: string; method: string; attempt: number; status?: number; delayMs: number }) => void;
  /**
   * The run's one abort signal (Ctrl-C, SIGTERM): joined to every request, so whatever a client
   * library forgets to pass on (a listing, an LFS upload, octokit's calls) is cancelled too, and
   * no retry or backoff starts after it fired.
   */
  signal?: AbortSignal;
}

/** Statuses worth retrying: rate limits and server errors. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Wraps fetch with retries and exponential backoff on 429 and 5xx and on dropped connections,
 * honouring Retry-After (seconds or HTTP date) and the IETF `RateLimit: ...;t=N` header. The
 * Hub client never retries (hub-protocol §2.6), so this is where resilience lives.
 *
 * Request bodies from the Hub client are strings or Blobs, which can be sent again. A retried
 * commit is safe because every commit carries `parentCommit`: a first attempt that landed makes
 * the retry fail with 412, which the publisher checks.
 */
export function createRetryingFetch(options: RetryOptions = {}): typeof fetch {
  const inner = options.fetch ?? fetch;
  const retries = options.retries ?? 6;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const runSignal = options.signal;
  const wrapped = async (input: string | URL | Request, givenInit?: RequestInit): Promise<Response> => {
    // An AbortError, not the signal's reason: octokit passes an AbortError through unretried,
    // while any other error becomes a retried "500".
    if (runSignal?.aborted) throw abortError();
    const init: RequestInit | undefined = runSignal
      ? { ...givenInit, signal: givenInit?.signal ? AbortSignal.any([givenInit.signal, runSignal]) : runSignal }
      : givenInit;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    // A ReadableStream body is consumed by the first attempt and cannot be retried.
    const replayable =
      init?.body == null ||
      typeof init.body === "string" ||
      init.body instanceof Blob ||
      init.body instanceof ArrayBuffer ||
      ArrayBuffer.isView(init.body) ||
      init.body instanceof URLSearchParams;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await inner(input, init);
      } catch (err) {
        if (runSignal?.aborted) throw abortError();
        if (init?.signal?.aborted) throw err;
        error = err;
      }
      const retryable = response ? RETRY_STATUS.has(response.status) : true;
      if (!retryable || attempt >= retries || !replayable) {
        if (response) return response;
        throw error;
      }
      const hinted = response ? retryAfterMs(response.headers) : undefined;
      const backoff = Math.min(max, base * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      const delayMs = Math.min(max, hinted ?? backoff);
      options.onRetry?.({
        url: url.split("?")[0]!,
        method,
        attempt: attempt + 1,
        status: response?.status,
        delayMs,
      });
      // Drain the body so the connection can be reused.
      await response?.body?.cancel().catch(() => undefined);
      await sleep(delayMs, init?.signal ?? undefined).catch((err: unknown) => {
        throw runSignal?.aborted ? abortError() : err;
      });
    }
  };
  return wrapped as typeof fetch;
}

function abortError(): DOMException {
  return new DOMException("This operation was aborted", "AbortError");
}

/** Milliseconds to wait as the server asked, from Retry-After or the RateLimit header. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get("retry-after");
  if (ra !== null) {
    const seconds = Number(ra);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const rl = headers.get("ratelimit");
  const t = rl ? /(?:^|[;,\s])t=(\d+)/.exec(rl)?.[1] : undefined;
  if (t !== undefined) return Number(t) * 1000;
  return undefined;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Counts request body bytes sent through a fetch, per URL kind: what `bench` reports. */
export function createCountingFetch(inner: typeof fetch = fetch): {
  fetch: typeof fetch;
  sent: { total: number; lfs: number; requests: number };
} {
  const sent = { total: 0, lfs: 0, requests: 0 };
  const wrapped = async (input: string | URL | Request, init?: RequestInit) => {
    const body = init?.body;
    const size =
      body == null
        ? 0
        : typeof body === "string"
          ? Buffer.byteLength(body)
          : body instanceof Blob
            ? body.size
            : ArrayBuffer.isView(body)
              ? body.byteLength
              : body instanceof ArrayBuffer
                ? body.byteLength
                : 0;
    const method = (init?.method ?? "GET").toUpperCase();
    sent.requests++;
    sent.total += size;
    if (method === "PUT") sent.lfs += size;
    return inner(input, init);
  };
  return { fetch: wrapped as typeof fetch, sent };
}
