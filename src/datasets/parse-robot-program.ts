import { scanProgramRegions, type ProgramDialect } from "./scan-program-regions.js";

/**
 * Small structural parsers for the three program dialects of the training pairs. They are not
 * interpreters: they recognise every statement kind the sample data and the vendor manuals use,
 * count instructions by kind, and report what is malformed (unknown statement, bad accuracy or
 * tool number, unbalanced blocks, missing jump labels, unterminated strings) with its line.
 * The redaction check parses each program before and after and requires equal counts.
 */

export const INSTRUCTION_KINDS = ["motion", "io", "wait", "delay", "call", "tool", "frame", "flow", "other"] as const;
export type InstructionKind = (typeof INSTRUCTION_KINDS)[number];
export type InstructionCounts = Record<InstructionKind, number>;

export interface ProgramIssue {
  /** 1-based line in the program. */
  line: number;
  message: string;
}

export interface ParsedProgram {
  dialect: ProgramDialect;
  counts: InstructionCounts;
  /** Sum of `counts`. */
  instructions: number;
  /** Number of comment regions (whole-line and trailing). */
  comments: number;
  issues: ProgramIssue[];
}

// A job with more lines than the Hi5 controller accepts is not a job (RoboDK's Hyundai post splits
// at 950 lines, Hi6 numbers lines up to 9999); the bound also caps parser work per record.
export const MAX_PROGRAM_LINES = 20_000;

const emptyCounts = (): InstructionCounts => ({
  motion: 0,
  io: 0,
  wait: 0,
  delay: 0,
  call: 0,
  tool: 0,
  frame: 0,
  flow: 0,
  other: 0,
});

/** Parses one program of the given dialect. Pure; never throws on bad input (issues say what is wrong). */
export function parseRobotProgram(text: string, dialect: ProgramDialect): ParsedProgram {
  const scan = scanProgramRegions(text, dialect);
  const issues: ProgramIssue[] = scan.issues.map((i) => ({ ...i }));
  // Code view: comments blanked, string contents replaced by `s`, so statement patterns never
  // match inside a comment or a literal and offsets/lines stay aligned with the source.
  const chars = text.split("");
  let comments = 0;
  for (const r of scan.regions) {
    if (r.kind === "comment") {
      comments++;
      for (let k = r.start; k < r.end; k++) if (chars[k] !== "\n") chars[k] = " ";
    } else if (r.kind === "string") {
      for (let k = r.start + 1; k < r.end - 1; k++) if (chars[k] !== "\n") chars[k] = "s";
    }
  }
  const lines = chars
    .join("")
    .split("\n")
    .map((l) => l.replace(/\r$/, ""));
  if (lines.length > MAX_PROGRAM_LINES) {
    return {
      dialect,
      counts: emptyCounts(),
      instructions: 0,
      comments,
      issues: [{ line: MAX_PROGRAM_LINES + 1, message: `more than ${MAX_PROGRAM_LINES} lines` }],
    };
  }
  const counts = emptyCounts();
  if (dialect === "drl") parseDrlLines(lines, counts, issues);
  else parseHyundaiLines(lines, dialect, counts, issues);
  const instructions = INSTRUCTION_KINDS.reduce((a, k) => a + counts[k], 0);
  issues.sort((a, b) => a.line - b.line);
  return { dialect, counts, instructions, comments, issues };
}

const HI5_HEADER =
  /^Program File Format Version\s*:\s*[\d.]+\s+MechType\s*:\s*\S.*?\s+TotalAxis\s*:\s*-?\d+\s+AuxAxis\s*:\s*-?\d+\s*$/;
const HI6_HEADER =
  /^Hyundai Robot Job File;\s*\{\s*version\s*:\s*[\d.]+\s*,\s*mech_type\s*:\s*"[^"\n]*"\s*,\s*total_axis\s*:\s*-?\d+\s*,\s*aux_axis\s*:\s*-?\d+\s*\}\s*$/;

const HY_KIND: Record<string, InstructionKind> = {
  move: "motion",
  pulse: "io",
  modbus: "io",
  wait: "wait",
  delay: "delay",
  call: "call",
  gosub: "call",
  return: "call",
  retsub: "call",
  param: "call",
  goto: "flow",
  if: "flow",
  elseif: "flow",
  else: "flow",
  endif: "flow",
  for: "flow",
  next: "flow",
  while: "flow",
  endwhile: "flow",
  switch: "flow",
  case: "flow",
  default: "flow",
  endswitch: "flow",
  end: "flow",
  stop: "flow",
  selucrd: "frame",
  mkucrd: "frame",
  mkucs: "frame",
  seltool: "tool",
  tool: "tool",
  var: "other",
  import: "other",
  print: "other",
  arcon: "other",
  arcof: "other",
  weavon: "other",
  weavof: "other",
  weaving: "other",
  touchsen: "other",
  multipass: "other",
  spot: "other",
};

function parseHyundaiLines(
  lines: string[],
  dialect: "hi5-job" | "hi6-job",
  counts: InstructionCounts,
  issues: ProgramIssue[],
): void {
  const header = lines[0] ?? "";
  if (!(dialect === "hi5-job" ? HI5_HEADER : HI6_HEADER).test(header.replace(/^\uFEFF/, ""))) {
    issues.push({
      line: 1,
      message:
        dialect === "hi5-job"
          ? "missing Hi5 job header 'Program File Format Version : … MechType: … TotalAxis: … AuxAxis: …'"
          : "missing Hi6 job header 'Hyundai Robot Job File; { version: …, mech_type: \"…\", total_axis: …, aux_axis: … }'",
    });
  }
  const labels = new Set<string>();
  const jumps: { label: string; line: number }[] = [];
  const blocks: { kind: "if" | "for" | "while" | "switch"; line: number }[] = [];
  let lastStep = 0;
  for (let n = 1; n < lines.length; n++) {
    const lineNo = n + 1;
    let s = lines[n]!.trim();
    if (s === "") continue;
    const step = /^S(\d+)\s+/.exec(s);
    if (step) {
      const k = Number(step[1]);
      if (k <= lastStep) issues.push({ line: lineNo, message: `step S${k} does not follow S${lastStep}` });
      lastStep = k;
      s = s.slice(step[0].length);
    } else if (/^S\d+$/.test(s)) {
      issues.push({ line: lineNo, message: "step label without a statement" });
      continue;
    }
    // Jump targets anywhere in the statement (goto, if … then, wait …,*timeout).
    for (const m of s.matchAll(/(?:^|[\s,])(?:goto|then|gosub)?\s*\*([A-Za-z_][\w]*)/gi)) {
      if (!s.startsWith("*")) jumps.push({ label: m[1]!.toLowerCase(), line: lineNo });
    }
    if (s.startsWith("*")) {
      const m = /^\*([A-Za-z_][\w]*)\s*$/.exec(s);
      if (!m) issues.push({ line: lineNo, message: "malformed label" });
      else labels.add(m[1]!.toLowerCase());
      counts.flow++;
      continue;
    }
    const kw = /^([A-Za-z_][A-Za-z_]*)/.exec(s)?.[1];
    const lower = kw?.toLowerCase();
    // Digital/word/analog outputs: DO17=1, DOW5=3000, do41=0, fb2.dob3=0b1111.
    if (/^(?:fb\d+\.)?(?:do|dob|dow|dol|dof|ao)\d+\s*=/i.test(s)) {
      counts.io++;
      continue;
    }
    if (lower !== undefined && lower in HY_KIND && /^[A-Za-z_]+(?:\s|$|,)/.test(s)) {
      const kind = HY_KIND[lower]!;
      if (dialect === "hi5-job" && kw !== kw!.toUpperCase())
        issues.push({ line: lineNo, message: `Hi5 keywords are upper-case: '${kw}'` });
      if (kind === "motion") checkMove(s, dialect, lineNo, issues);
      if (lower === "if" && !/\bthen\s*\*?\w/i.test(s)) blocks.push({ kind: "if", line: lineNo });
      if (lower === "for") blocks.push({ kind: "for", line: lineNo });
      if (lower === "while") blocks.push({ kind: "while", line: lineNo });
      if (lower === "switch") blocks.push({ kind: "switch", line: lineNo });
      const closes: Record<string, "if" | "for" | "while" | "switch"> = {
        endif: "if",
        next: "for",
        endwhile: "while",
        endswitch: "switch",
      };
      const closing = closes[lower];
      if (closing) {
        const open = blocks.pop();
        if (!open || open.kind !== closing)
          issues.push({ line: lineNo, message: `'${kw}' without a matching '${closing}'` });
      }
      if ((lower === "elseif" || lower === "else") && blocks.at(-1)?.kind !== "if")
        issues.push({ line: lineNo, message: `'${kw}' outside an if block` });
      if (lower === "call" && !/^call\s+[\w]+/i.test(s))
        issues.push({ line: lineNo, message: "call without a job number or name" });
      if ((lower === "wait" || lower === "delay") && !/^\w+\s+\S/.test(s))
        issues.push({ line: lineNo, message: `${lower} without an argument` });
      counts[kind]++;
      continue;
    }
    // Assignments: V1%=1, LV1!=2.5, P1=P2, R2.Y=10, n_box=n_box+1, enet2.ip_addr="…", po[0]=…
    if (/^[A-Za-z_][\w]*[%!$]?(?:\[[^\]]*\])?(?:\.[A-Za-z_]\w*)*\s*=[^=]/.test(s)) {
      counts.other++;
      continue;
    }
    issues.push({ line: lineNo, message: `unknown statement '${s.slice(0, 40)}'` });
  }
  for (const b of blocks) issues.push({ line: b.line, message: `'${b.kind}' block is never closed` });
  for (const j of jumps)
    if (!labels.has(j.label)) issues.push({ line: j.line, message: `jump to undefined label '*${j.label}'` });
}

function checkMove(s: string, dialect: "hi5-job" | "hi6-job", line: number, issues: ProgramIssue[]): void {
  const m = /^move\s+(P|L|C|SP|SL|SC)\s*,/i.exec(s);
  if (!m) {
    issues.push({ line, message: "move needs an interpolation P, L, C, SP, SL or SC" });
    return;
  }
  const accu = /(?:^|,)\s*(?:A|accu)\s*=\s*(-?\d+)/i.exec(s.replace(/\([^)]*\)|\[[^\]]*\]/g, ""));
  if (accu && (Number(accu[1]) < 0 || Number(accu[1]) > 7))
    issues.push({ line, message: `accuracy ${accu[1]} is outside 0-7` });
  const tool = /(?:^|,)\s*(?:T|tool)\s*=\s*(-?\d+)/i.exec(s.replace(/\([^)]*\)|\[[^\]]*\]/g, ""));
  if (tool && (Number(tool[1]) < 0 || Number(tool[1]) > 31))
    issues.push({ line, message: `tool ${tool[1]} is outside 0-31` });
  if (!/(?:^|,)\s*(?:S|spd)\s*=/i.test(s)) issues.push({ line, message: "move without a speed (S= / spd=)" });
  let depth = 0;
  for (const c of s) {
    if (c === "(" || c === "[") depth++;
    if (c === ")" || c === "]") depth--;
    if (depth < 0) break;
  }
  if (depth !== 0) issues.push({ line, message: "unbalanced brackets in the pose" });
  // Hi5 writes the recorded pose as a parenthesised tuple, Hi6 as a bracketed list.
  if (dialect === "hi5-job" && /\[/.test(s))
    issues.push({ line, message: "Hi5 poses are written in parentheses, not brackets" });
}

const DRL_KIND: [InstructionKind, RegExp][] = [
  ["motion", /\b(?:a?move(?:j|l|c|jx|sj|sx|b)|move_spiral|move_periodic|amove_spiral|amove_periodic)\s*\(/g],
  [
    "io",
    /\b(?:set_digital_outputs?|get_digital_inputs?|set_tool_digital_outputs?|get_tool_digital_inputs?|set_analog_output|get_analog_input|add_modbus_signal|del_modbus_signal|set_modbus_outputs?|get_modbus_inputs?)\s*\(/g,
  ],
  ["wait", /\b(?:wait_digital_input|wait_tool_digital_input|mwait|wait_nudge|wait_manual_guide)\s*\(/g],
  ["delay", /(?<![\w.])wait\s*\(/g],
  ["call", /\b(?:sub_program_run|drl_script_run)\s*\(/g],
  ["tool", /\b(?:set_tool|set_tcp|set_tool_shape)\s*\(/g],
  ["frame", /\b(?:set_user_cart_coord|set_ref_coord|overwrite_user_cart_coord)\s*\(/g],
  ["flow", /(?:^|\s)(?:if|elif|else|while|for|def|return|break|continue)\b|\bexit\s*\(/g],
  [
    "other",
    /\b(?:tp_log|tp_popup|set_velj|set_accj|set_velx|set_accx|set_singularity_handling|set_singular_handling|change_operation_speed|set_workpiece_weight)\s*\(/g,
  ],
];

// Python keywords that open a block when the line ends with ':'.
const DRL_BLOCK = /^(?:if|elif|else|while|for|def|try|except|finally|with|class)\b.*:\s*$/;

function parseDrlLines(lines: string[], counts: InstructionCounts, issues: ProgramIssue[]): void {
  const stack: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let expectIndentFrom: { line: number; indent: number } | undefined;
  const indents: number[] = [0];
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const raw = lines[n]!;
    const inBrackets = stack.length > 0;
    for (const c of raw) {
      if (c === "(" || c === "[" || c === "{") stack.push({ ch: c, line: lineNo });
      else if (c in pairs) {
        const open = stack.pop();
        if (!open || open.ch !== pairs[c]) issues.push({ line: lineNo, message: `unmatched '${c}'` });
      }
    }
    const s = raw.trim();
    if (s === "" || inBrackets) continue;
    const lead = /^[ \t]*/.exec(raw)![0];
    if (lead.includes("\t") && lead.includes(" "))
      issues.push({ line: lineNo, message: "indentation mixes tabs and spaces" });
    const indent = lead.replace(/\t/g, "        ").length;
    if (expectIndentFrom) {
      if (indent <= expectIndentFrom.indent)
        issues.push({ line: lineNo, message: `expected an indented block after line ${expectIndentFrom.line}` });
      else indents.push(indent);
      expectIndentFrom = undefined;
    } else if (indent > indents.at(-1)!) {
      issues.push({ line: lineNo, message: "unexpected indent" });
    } else {
      while (indent < indents.at(-1)!) indents.pop();
      if (indent !== indents.at(-1))
        issues.push({ line: lineNo, message: "unindent does not match any outer indentation level" });
    }
    if (DRL_BLOCK.test(s)) expectIndentFrom = { line: lineNo, indent };
    else if (/^(?:if|elif|while|for|def)\b/.test(s) && !/:/.test(s))
      issues.push({ line: lineNo, message: `'${s.split(/\s/)[0]}' statement without ':'` });
    for (const [kind, re] of DRL_KIND) {
      re.lastIndex = 0;
      counts[kind] += [...s.matchAll(re)].length;
    }
  }
  // An unclosed bracket is the cause of whatever follows it; report it first.
  for (const open of stack) issues.push({ line: open.line, message: `'${open.ch}' is never closed` });
  if (expectIndentFrom) issues.push({ line: expectIndentFrom.line, message: "block has no body" });
}

/** Which dialect a Hyundai file is, from its header line (not its extension, which lies). Pure. */
export function detectHyundaiDialect(text: string): "hi5-job" | "hi6-job" | undefined {
  const first = text.slice(0, 400).split("\n", 1)[0] ?? "";
  if (/^\uFEFF?Program File Format Version/.test(first)) return "hi5-job";
  if (/^\uFEFF?Hyundai Robot Job File;/.test(first)) return "hi6-job";
  return undefined;
}
