/**
 * Training runs name files after the machine: TensorBoard a run folder
 * `<Mon><DD>_<HH-MM-SS>_<hostname>` (the HF Trainer's default `runs/Dec06_13-05-55_gpu-node-07`)
 * and an event file `events.out.tfevents.<time>.<hostname>…`, the PyTorch profiler a trace
 * `<hostname>_<pid>.<time>.pt.trace.json`, the kernel a core dump `core.<hostname>.<pid>`.
 * Such names are printed and published (a dropped file's path in the terminal, `--json`, the
 * reports, Actions annotations): the host part becomes `[host]`, whatever it looks like. Applied
 * by `renderSafeText`, so every printed or published string gets it. Idempotent.
 */
const NAME_END = String.raw`[^/\s"'\x60:;,()\[\]<>]+`;
const TB_RUN_DIR = new RegExp(String.raw`(^|[/\s"'\x60(])([A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2})_${NAME_END}`, "g");
const TB_EVENTS = new RegExp(String.raw`(events\.out\.tfevents\.\d+)\.${NAME_END}`, "g");
const TRACE = new RegExp(String.raw`(^|[/\s"'\x60(])${NAME_END}?_(\d+\.\d+\.pt\.trace\.json)`, "g");
const CORE = new RegExp(String.raw`(^|[/\s"'\x60(])core\.(?!\[host\])${NAME_END}?\.(\d+)(?=$|[\s"'\x60:;,)])`, "g");

export function maskRunHosts(text: string): string {
  if (
    !text.includes("tfevents") &&
    !text.includes("core.") &&
    !text.includes(".pt.trace.json") &&
    !/\d{2}-\d{2}-\d{2}_/.test(text)
  )
    return text;
  return text
    .replace(TB_RUN_DIR, "$1$2_[host]")
    .replace(TB_EVENTS, "$1.[host]")
    .replace(TRACE, "$1[host]_$2")
    .replace(CORE, "$1core.[host].$2");
}
