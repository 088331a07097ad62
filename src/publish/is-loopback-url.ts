/**
 * Whether `url` points at this machine (127.0.0.0/8, `localhost`, `[::1]`): the local stand-ins
 * that `serve` and the tests start. Such endpoints have no rate limits to pace for and no round
 * trips to hide behind parallel streams; what is tuned for the real services is turned off there.
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
