import { readFile } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.js";

/**
 * Reads a YAML config file's text for the config readers (release and dataset configs).
 *
 * @throws ReleaseError `CONFIG_NOT_FOUND` (usage) naming the file and an example path.
 */
export async function readConfigText(params: {
  file: string;
  kind: string;
  example: string;
}): Promise<{ abs: string; text: string }> {
  const abs = path.resolve(params.file);
  try {
    return { abs, text: await readFile(abs, "utf8") };
  } catch (cause) {
    throw usageError(
      "CONFIG_NOT_FOUND",
      `cannot read ${params.kind} ${params.file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        hint: `pass --config with the path of a YAML file, e.g. ${params.example}`,
        location: { file: params.file },
        cause,
      },
    );
  }
}
