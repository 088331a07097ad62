import type { RedactionRules } from "./compile-redaction-rules.js";
import type { Pseudonymizer } from "./create-pseudonymizer.js";
import type { RedactionConfig } from "./dataset-config-schema.js";
import { redactProgram } from "./redact-program.js";
import { renderFileName } from "./render-file-name.js";

/** A fictitious sensitive value planted in a program: `text` is written, `value` must not survive. */
export interface PlantedProbe {
  /** Class of the value (never the value): appears in the card and the report. */
  probe: string;
  text: string;
  value: string;
}

export const RECALL_PLACES = ["comment", "string", "file name"] as const;
export type RecallPlace = (typeof RECALL_PLACES)[number];

export interface RecallReport {
  /** Per place: values planted and values no longer present after redaction. */
  places: Record<RecallPlace, { planted: number; redacted: number; missed: string[] }>;
}

const HF = ["hf", "_", "Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aE"].join("");

/**
 * Classes of values a robot program holds, each with one fictitious instance. Every class that the
 * issue tracker has seen leak is here, whether or not a rule exists for it: the measured recall is
 * what the card reports.
 */
export const BUILTIN_PROBES: readonly PlantedProbe[] = [
  { probe: "ipv4", text: "PLC at 10.20.30.40 port 502", value: "10.20.30.40" },
  { probe: "ipv4-before-full-stop", text: "peer is 10.20.30.41.", value: "10.20.30.41" },
  { probe: "ipv6", text: "HMI fd12:3456:789a:1::20 up", value: "fd12:3456:789a:1::20" },
  { probe: "email", text: "ask kim.minsu@cell-integrator.example", value: "kim.minsu@cell-integrator.example" },
  { probe: "kr-mobile-unlabelled", text: "김 010-2345-6789 연락", value: "010-2345-6789" },
  { probe: "kr-mobile-hp-label", text: "H.P. 010-3456-7890", value: "010-3456-7890" },
  { probe: "kr-resident-registration-number", text: "주민 930517-2748163", value: "930517-2748163" },
  { probe: "host-under-public-suffix", text: "MES mes-srv01.vantor-cast.co.kr", value: "mes-srv01.vantor-cast.co.kr" },
  { probe: "host-without-domain", text: "upload to mes-srv07 nightly", value: "mes-srv07" },
  { probe: "share-path-forward-slash", text: "backup //nas-02/robotjobs/cell3", value: "//nas-02/robotjobs" },
  { probe: "unc-path", text: "backup \\\\nas-03\\robotjobs\\cell4", value: "\\\\nas-03\\robotjobs" },
  { probe: "windows-path", text: "from D:\\Customers\\cell3\\0108.JOB", value: "D:\\Customers" },
  { probe: "user-path", text: "copied from /home/kimms/jobs", value: "/home/kimms" },
  { probe: "serial-korean-label", text: "제조번호: 2231004417", value: "2231004417" },
  { probe: "serial-unlabelled", text: "ctrl HI5A-C-2019-004417 ok", value: "HI5A-C-2019-004417" },
  { probe: "url-host", text: "api https://mes-gw.vantor-cast.com/api/job", value: "mes-gw.vantor-cast.com" },
  { probe: "hf-token", text: `token ${HF}`, value: HF },
  { probe: "mac-address", text: "device 00:1B:44:11:3A:B7", value: "00:1B:44:11:3A:B7" },
];

const ZW = "\u200b";
const fullWidth = (s: string) => s.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x21 + 0xff01));

/**
 * Probes from the project's own lists, in the forms that slipped through before: with a Korean
 * particle, inside a label and a camelCase name, decomposed Hangul, full-width Latin, a zero-width
 * space. At most two values per list; the values are the project's, the card shows only classes.
 */
export function listProbes(config: RedactionConfig): PlantedProbe[] {
  const out: PlantedProbe[] = [];
  const lists: [string, string[]][] = [
    ["customer", config.customers],
    ["plant", config.plants],
    ["line", config.lines],
    ["person", config.people],
  ];
  for (const [kind, values] of lists) {
    for (const v of values.slice(0, 2)) {
      const compact = v.replace(/[^\p{L}\p{N}]/gu, "");
      out.push({ probe: `${kind}-listed`, text: `for ${v} only`, value: v });
      out.push({ probe: `${kind}-with-particle`, text: `${v}님 확인`, value: v });
      if (compact.length > 0)
        out.push({ probe: `${kind}-in-label`, text: `jump *${compact.toUpperCase()}PICK`, value: compact });
      if (/[가-힣]/.test(v)) out.push({ probe: `${kind}-nfd`, text: `by ${v.normalize("NFD")}.`, value: v });
      if (/[A-Za-z]/.test(v)) out.push({ probe: `${kind}-full-width`, text: `by ${fullWidth(v)}.`, value: v });
      if ([...v].length > 2)
        out.push({
          probe: `${kind}-zero-width`,
          text: `by ${[...v].slice(0, 2).join("")}${ZW}${[...v].slice(2).join("")}.`,
          value: v,
        });
    }
  }
  return out;
}

/** Folds what a reader would read as the same text: NFKC, no invisible characters, lower case. */
export function foldForLeakCheck(s: string): string {
  return s
    .normalize("NFKC")
    .replace(/[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, "")
    .toLowerCase();
}

/**
 * Plants every probe in a comment, a string literal and a file name of a minimal program, runs the
 * build's own redaction, and counts the values that no longer appear (after folding). Pure.
 */
export function measureRedactionRecall(params: {
  rules: RedactionRules;
  pseudonymizer: Pseudonymizer;
  config: RedactionConfig;
  probes?: readonly PlantedProbe[];
}): RecallReport {
  const { rules, pseudonymizer, config } = params;
  const probes = params.probes ?? [...BUILTIN_PROBES, ...listProbes(config)];
  const places = Object.fromEntries(
    RECALL_PLACES.map((p) => [p, { planted: 0, redacted: 0, missed: [] as string[] }]),
  ) as RecallReport["places"];
  const record = (place: RecallPlace, probe: PlantedProbe, output: string) => {
    const r = places[place];
    r.planted++;
    if (foldForLeakCheck(output).includes(foldForLeakCheck(probe.value))) r.missed.push(probe.probe);
    else r.redacted++;
  };
  for (const probe of probes) {
    const oneLine = probe.text.replace(/[\r\n"'#]/g, " ");
    const comment = `Hyundai Robot Job File; { version: 1.6, mech_type: "", total_axis: 6, aux_axis: 0 }\n     # ${oneLine}\n     end\n`;
    record("comment", probe, redactProgram({ text: comment, dialect: "hi6-job", rules, pseudonymizer }).text);
    const string = `tp_log("${oneLine.replace(/\\/g, "\\\\")}")\n`;
    const red = redactProgram({ text: string, dialect: "drl", rules, pseudonymizer }).text;
    record("string", probe, red.replace(/\\\\/g, "\\"));
    const name = `job_${oneLine.replace(/[\s/\\:]+/g, "_")}.drl`;
    record(
      "file name",
      { ...probe, value: probe.value.replace(/[\s/\\:]+/g, "_") },
      renderFileName({ name, mode: config.file_names, rules, pseudonymizer }).text,
    );
  }
  for (const p of RECALL_PLACES) places[p].missed = [...new Set(places[p].missed)].sort();
  return { places };
}
