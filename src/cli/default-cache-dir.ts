import os from "node:os";
import path from "node:path";

/** `$XDG_CACHE_HOME/model-release`, else `~/.cache/model-release` (XDG Base Directory spec). */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? os.homedir(), ".cache");
  return path.join(base, "model-release");
}
