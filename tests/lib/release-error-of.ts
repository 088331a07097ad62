import { isReleaseError, type ReleaseError } from "../../src/errors.js";

/** The `ReleaseError` that `fn` throws; fails the test when it returns, or throws anything else. */
export function releaseErrorOf(fn: () => unknown): ReleaseError {
  try {
    fn();
  } catch (err) {
    if (isReleaseError(err)) return err;
    throw err;
  }
  throw new Error("expected a ReleaseError, but nothing was thrown");
}
