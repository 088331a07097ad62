import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Fault injection for the local stand-ins: fail the Nth request of a route, so tests can prove
 * retry, resume and atomicity against real HTTP. Rules are data (JSON-able) so `serve --faults`
 * and tests can pass them the same way.
 */
export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Regular expression source matched against the request path (without the query string). */
  path: string;
  /** Which matching requests fail, 1-based: `nth: 2` fails the second; with `count`, that many from there. */
  nth?: number;
  /** How many consecutive matching requests fail, starting at `nth` (default 1). */
  count?: number;
  action:
    | { kind: "status"; status: 429 | 500 | 502 | 503; retryAfterSeconds?: number }
    | { kind: "drop" } // destroy the socket without a response
    | { kind: "delay"; ms: number } // answer normally after a delay
    | { kind: "corrupt" }; // answer normally, with one byte of the body flipped (damage in transit)
}

export interface FaultInjector {
  /** Returns true when the request was answered or dropped by a fault and must not be handled. */
  intercept(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Replaces the rules (and resets the counters). */
  setRules(rules: FaultRule[]): void;
  /** Requests seen per rule index, for assertions. */
  readonly hits: number[];
}

export function createFaultInjector(initial: FaultRule[] = []): FaultInjector {
  let rules: { rule: FaultRule; re: RegExp }[] = [];
  let hits: number[] = [];
  const setRules = (next: FaultRule[]) => {
    rules = next.map((rule) => ({ rule, re: new RegExp(rule.path) }));
    hits = next.map(() => 0);
  };
  setRules(initial);
  return {
    get hits() {
      return hits;
    },
    setRules,
    async intercept(req, res) {
      const pathname = (req.url ?? "/").split("?")[0]!;
      for (let i = 0; i < rules.length; i++) {
        const { rule, re } = rules[i]!;
        if (rule.method && rule.method.toUpperCase() !== req.method) continue;
        if (!re.test(pathname)) continue;
        const seen = ++hits[i]!;
        const first = rule.nth ?? 1;
        if (seen < first || seen >= first + (rule.count ?? 1)) continue;
        const action = rule.action;
        if (action.kind === "delay") {
          await new Promise((r) => setTimeout(r, action.ms));
          return false;
        }
        if (action.kind === "corrupt") {
          let flipped = false;
          const flip = (chunk: unknown): unknown => {
            if (flipped || chunk == null || typeof chunk === "function") return chunk;
            const bytes = Buffer.from(chunk as Uint8Array);
            if (bytes.length === 0) return chunk;
            flipped = true;
            bytes[0] = bytes[0]! ^ 0x01;
            return bytes;
          };
          const write = res.write.bind(res) as (...a: unknown[]) => boolean;
          const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
          res.write = ((chunk: unknown, ...rest: unknown[]) => write(flip(chunk), ...rest)) as typeof res.write;
          res.end = ((chunk?: unknown, ...rest: unknown[]) =>
            typeof chunk === "function" || chunk === undefined
              ? end(chunk, ...rest)
              : end(flip(chunk), ...rest)) as typeof res.end;
          return false;
        }
        if (action.kind === "drop") {
          req.socket.destroy();
          return true;
        }
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (action.retryAfterSeconds !== undefined) headers["retry-after"] = String(action.retryAfterSeconds);
        res.writeHead(action.status, headers);
        // GitHub's wording: octokit's throttling plugin honours Retry-After only on a message that
        // names a secondary rate limit, so an injected 429 exercises the real client path.
        const message =
          action.status === 429
            ? "You have exceeded a secondary rate limit (injected fault)"
            : `injected fault: HTTP ${action.status}`;
        res.end(JSON.stringify({ error: message, message }));
        return true;
      }
      return false;
    },
  };
}
