import { inputError, type ReleaseError } from "../../errors.js";

/** The error for an archive whose bytes contradict the zip format, naming file and byte offset. */
export function corruptZipError(file: string, what: string, offset: number): ReleaseError {
  return inputError("ZIP_CORRUPT", `${file}: corrupt zip: ${what} (at byte ${offset})`, {
    hint: "The archive is damaged or truncated; re-save the checkpoint (torch.save) or copy it again.",
    location: { file, offset },
  });
}
