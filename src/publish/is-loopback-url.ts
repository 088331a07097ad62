import { isIP } from "node:net";

/**
 * Whether `host` is this machine: 127.0.0.0/8, `localhost`, `::1` (bare or bracketed as in a
 * URL). The only addresses `serve` binds without `--allow-remote`.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1" || host === "[::1]") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/**
 * Whether `url` points at this machine: the local stand-ins that `serve` and the tests start.
 * Such endpoints have no rate limits to pace for and no round trips to hide behind parallel
 * streams; what is tuned for the real services is turned off there.
 */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
