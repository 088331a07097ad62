/**
 * Realistic synthetic training pairs: a Hyundai job (Hi5 `NNNN.JOB` or Hi6 HRScript `.job`) and
 * the Doosan DRL program that does the same, with fictitious sensitive values planted where real
 * programs carry them (header comments, trailing comments, string literals, socket/Modbus
 * statements, TP-export identifiers). Deterministic from the seed, so the committed sample and
 * the tests agree. Every planted value is returned, so tests can prove none survives redaction.
 *
 * All names are invented; IPs are RFC 5737 documentation addresses; e-mails use `.example`.
 */

export interface SyntheticPair {
  /** Folder name of the pair, e.g. `pair-007`. */
  id: string;
  dialect: "hi5-job" | "hi6-job";
  hyundaiFile: string;
  hyundaiText: string;
  drlFile: string;
  drlText: string;
  /** Every sensitive value planted in this pair, verbatim. */
  planted: PlantedValue[];
}

export interface PlantedValue {
  category: string;
  value: string;
}

/** The fictitious lists a project would keep in its dataset.yaml. */
export const SYNTHETIC_LISTS = {
  customers: [
    { full: "Vantor Castings Co., Ltd.", short: "Vantor" },
    { full: "Skarholm Dairy AB", short: "Skarholm" },
    { full: "Kestrel Seating Systems GmbH", short: "Kestrel" },
    { full: "Daehan Precision Metal Co.", short: "Daehan Precision" },
    { full: "Orvane Appliances Ltd.", short: "Orvane" },
    { full: "Pellworth Packaging Inc.", short: "Pellworth" },
  ],
  plants: ["Ulsan Plant 2", "Tessby Plant", "Werk Vellbach", "Changwon Plant 3", "Brennick Works", "Asan Site B"],
  lines: ["CNC-LINE-07", "PAL-2", "SEAL-1", "WELD-L3", "ASSY-04", "PRESS-LN-2"],
  people: [
    "Hong Gil-dong",
    "Kim Min-jun",
    "Park Ji-ho",
    "Lee Seo-yeon",
    "Anna Lindqvist",
    "Jonas Brenner",
    "Choi Yu-na",
    "Mateo Ferrand",
  ],
  koreanPeople: ["홍길동", "김민준", "박지호", "이서연"],
} as const;

/** Part numbers look like `VC-44810-A7` or SKU `7311-0420-12`; these regexes match them. */
export const SYNTHETIC_PART_NUMBER_PATTERNS = ["\\b[A-Z]{2}-\\d{5}-[A-Z]\\d\\b", "\\b\\d{4}-\\d{4}-\\d{2}\\b"];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(seed: string | number): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Rng {
  private readonly next: () => number;
  constructor(seed: string | number) {
    this.next = mulberry32(hashSeed(seed));
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  letter(): string {
    return String.fromCharCode(65 + this.int(0, 25));
  }
}

const HI5_MECH = ["693(HS220-03)", "578(HA006L-02)", "368(HA006A-01)"];
const HI6_MECH = ["458(HA006B-01)", "780(YL012-0D)"];
const DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"];
const pad = (n: number, w: number) => String(n).padStart(w, "0");
const f3 = (x: number) => x.toFixed(3);
const f1 = (x: number) => x.toFixed(1);
// Trailing comments start in a column, or two spaces after a long statement.
const padTo = (s: string, w: number) => (s.length >= w - 1 ? `${s}  ` : s.padEnd(w));

type Pose = [number, number, number, number, number, number];

/** One abstract step, rendered into each dialect. */
type Step =
  | { op: "home" }
  | { op: "movel"; pose: Pose; speed: number; accu: number; frame: number; note?: string }
  | { op: "movej"; pose: Pose; pct: number; accu: number }
  | { op: "movec"; via: Pose; end: Pose; speed: number; frame: number }
  | { op: "do"; hy: number; ds: number; value: 0 | 1; note?: string }
  | { op: "wait"; hy: number; ds: number; note?: string }
  | { op: "delay"; s: number }
  | { op: "call"; job: number; note?: string }
  | { op: "frame"; n: number }
  | { op: "print"; text: string };

interface Scenario {
  customer: (typeof SYNTHETIC_LISTS.customers)[number];
  plant: string;
  line: string;
  part: string;
  sku: string;
  person: string;
  korean?: string;
  email?: string;
  ctrlIp: string;
  drlIp: string;
  peerIp: string;
  port: number;
  hySerial: string;
  dsSerial: string;
  date: string;
  time: string;
  path: string;
  cycle: string;
  ext: string;
  oemProgram: string;
  tool: number;
  mech: string;
  jobNo: number;
  loopCount: number;
  /** Before the loop, the loop body, after the loop. */
  pre: Step[];
  loopSteps: Step[];
  post: Step[];
}

/**
 * Generates `count` pairs from `seed`. Pure and deterministic.
 */
export function generateSyntheticPairs(params: { seed: string | number; count: number }): SyntheticPair[] {
  const rng = new Rng(params.seed);
  const pairs: SyntheticPair[] = [];
  for (let k = 0; k < params.count; k++) {
    const dialect = rng.chance(0.5) ? "hi5-job" : "hi6-job";
    const sc = scenario(rng, dialect);
    const planted: PlantedValue[] = [
      { category: "CUSTOMER", value: sc.customer.full },
      { category: "CUSTOMER", value: sc.customer.short },
      { category: "PLANT", value: sc.plant },
      { category: "LINE", value: sc.line },
      { category: "PART", value: sc.part },
      { category: "PART", value: sc.sku },
      { category: "PERSON", value: sc.person },
      { category: "IP", value: sc.ctrlIp },
      { category: "IP", value: sc.drlIp },
      { category: "IP", value: sc.peerIp },
      { category: "SERIAL", value: sc.hySerial },
      { category: "SERIAL", value: sc.dsSerial },
      { category: "DATE", value: `${sc.date} ${sc.time}` },
      { category: "PATH", value: sc.path },
      { category: "CYCLE_TIME", value: sc.cycle },
      { category: "PHONE", value: sc.ext },
      { category: "PROGRAM_ID", value: sc.oemProgram },
      { category: "DATE", value: `gLoop${sc.date.replace(/-/g, "").slice(2)}${sc.time.replace(/:/g, "")}` },
    ];
    if (sc.korean) planted.push({ category: "PERSON", value: sc.korean });
    if (sc.email) planted.push({ category: "EMAIL", value: sc.email });
    const hyundaiFile = dialect === "hi5-job" ? `${pad(sc.jobNo, 4)}.JOB` : `${pad(sc.jobNo, 4)}_main.job`;
    pairs.push({
      id: `pair-${pad(k + 1, 3)}`,
      dialect,
      hyundaiFile,
      hyundaiText: dialect === "hi5-job" ? renderHi5(sc) : renderHi6(sc),
      drlFile: `job_${pad(sc.jobNo, 4)}.drl`,
      drlText: renderDrl(sc, hyundaiFile),
      planted,
    });
  }
  return pairs;
}

function scenario(rng: Rng, dialect: "hi5-job" | "hi6-job"): Scenario {
  const customer = rng.pick(SYNTHETIC_LISTS.customers);
  const plant = rng.pick(SYNTHETIC_LISTS.plants);
  const line = rng.pick(SYNTHETIC_LISTS.lines);
  const net = rng.pick(DOC_NETS);
  const host = rng.int(10, 240);
  const date = `20${rng.int(22, 25)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;
  const time = `${pad(rng.int(6, 22), 2)}:${pad(rng.int(0, 59), 2)}:${pad(rng.int(0, 59), 2)}`;
  const tool = rng.int(1, 4);
  const steps: Step[] = [{ op: "home" }];
  const loopSteps: Step[] = [];
  const x = rng.int(300, 1500);
  const y = rng.int(-500, 500);
  const z = rng.int(200, 900);
  const frame = rng.chance(0.4) ? rng.int(1, 3) : 0;
  if (frame) steps.push({ op: "frame", n: frame });
  steps.push({ op: "do", hy: 17, ds: 1, value: 0, note: "gripper CLOSE valve off" });
  steps.push({ op: "wait", hy: 21, ds: 1, note: "part present" });
  const target = (dz: number): Pose => [x, y, z + dz, 180, 0, 0];
  loopSteps.push({
    op: "movel",
    pose: target(rng.int(100, 250)),
    speed: rng.pick([250, 400, 800, 1000]),
    accu: rng.int(1, 3),
    frame,
  });
  loopSteps.push({
    op: "movel",
    pose: target(0),
    speed: rng.pick([100, 120, 250, 300]),
    accu: 0,
    frame,
    note: `pick ${line}`,
  });
  loopSteps.push({ op: "do", hy: 17, ds: 1, value: 1, note: "grip part" });
  loopSteps.push({ op: "delay", s: rng.pick([0.2, 0.3, 0.4, 0.5]) });
  if (rng.chance(0.6))
    loopSteps.push({
      op: "movec",
      via: [x + 50, y + 50, z + 60, 180, 0, 0],
      end: [x + 100, y, z + 120, 180, 0, 0],
      speed: rng.pick([120, 200]),
      frame,
    });
  loopSteps.push({ op: "movel", pose: target(rng.int(100, 250)), speed: rng.pick([400, 800]), accu: 2, frame });
  const preCount = steps.length;
  steps.push({
    op: "movej",
    pose: [rng.int(-30, 30), rng.int(70, 95), rng.int(-10, 10), 0, rng.int(-95, -60), 0],
    pct: rng.pick([50, 60, 70, 80]),
    accu: 3,
  });
  steps.push({
    op: "call",
    job: rng.int(2, 40),
    note: `load machine (cycle budget ${rng.int(8, 40)}.${rng.int(0, 9)} s)`,
  });
  steps.push({ op: "do", hy: 48, ds: 8, value: 1, note: "cycle done -> PLC" });
  steps.push({ op: "print", text: `${line}: cycle done, call ${rng.pick(SYNTHETIC_LISTS.people)} if stuck` });
  const person = rng.pick(SYNTHETIC_LISTS.people);
  const cust = customer.short.replace(/\s+/g, "");
  return {
    customer,
    plant,
    line,
    part: `${rng.letter()}${rng.letter()}-${rng.digits(5)}-${rng.letter()}${rng.int(1, 9)}`,
    sku: `${rng.digits(4)}-${rng.digits(4)}-${rng.digits(2)}`,
    person,
    korean: rng.chance(0.4) ? rng.pick(SYNTHETIC_LISTS.koreanPeople) : undefined,
    email: rng.chance(0.5) ? `${person.toLowerCase().replace(/[^a-z]+/g, ".")}@integrator.example` : undefined,
    ctrlIp: `${net}.${host}`,
    drlIp: `${net}.${host + 1}`,
    peerIp: `${rng.pick(DOC_NETS)}.${rng.int(2, 250)}`,
    port: rng.pick([502, 8888, 12345]),
    hySerial:
      dialect === "hi5-job"
        ? `HI5A-C-20${rng.int(15, 21)}-${rng.digits(6)}`
        : `HI6T-${rng.int(20, 24)}A-${rng.digits(6)}`,
    dsSerial: `${rng.pick(["M1013", "H2017", "A0912", "DRCF"])}-${rng.digits(4)}-${rng.digits(5)}`,
    date,
    time,
    path: `D:\\Customers\\${cust}\\${plant.replace(/\s+/g, "")}\\${line}\\JOB\\${rng.digits(4)}.JOB`,
    cycle: `${rng.int(8, 60)}.${rng.int(0, 9)} s`,
    ext: `ext. ${rng.digits(4)}`,
    oemProgram: `DIP-${rng.digits(4)}`,
    tool,
    mech: dialect === "hi5-job" ? rng.pick(HI5_MECH) : rng.pick(HI6_MECH),
    jobNo: rng.int(1, 99),
    loopCount: rng.int(2, 6),
    pre: steps.slice(0, preCount),
    post: steps.slice(preCount),
    loopSteps,
  };
}

function headerLines(sc: Scenario, robotSerial: string, ip: string): string[] {
  const out = [
    `Customer : ${sc.customer.full} (${sc.plant})`,
    `Line     : ${sc.line} / Cell ${String.fromCharCode(65 + (sc.jobNo % 4))}`,
    `Part No. : ${sc.part}   SKU ${sc.sku}`,
    `Ctrl IP  : ${ip}    Ctrl S/N : ${robotSerial}`,
    `Taught by: ${sc.person} (${sc.ext})   ${sc.date} ${sc.time.slice(0, 5)}`,
    `Backup   : ${sc.path}`,
    `OEM program ${sc.oemProgram} rev C`,
    `Cycle target ${sc.cycle} - CONFIDENTIAL, do not send to ${sc.customer.short}`,
  ];
  if (sc.email) out.push(`Integrator: ${sc.email}`);
  if (sc.korean) out.push(`작업자: ${sc.korean}  (${sc.line} 라인)`);
  return out;
}

const jointPose = (p: Pose) => `${f3(p[0])},${f3(p[1])},${f3(p[2])},${f3(p[3])},${f3(p[4])},${f3(p[5])}`;

function renderHi5(sc: Scenario): string {
  const L: string[] = [`Program File Format Version : 1.6  MechType: ${sc.mech}  TotalAxis: 6  AuxAxis: 0`];
  L.push("     '==============================================================");
  for (const h of headerLines(sc, sc.hySerial, sc.ctrlIp)) L.push(`     ' ${h}`);
  L.push(`     ' Sealer ctrl ${sc.peerIp}:${sc.port} (Modbus/TCP)`);
  L.push("     '==============================================================");
  let stepNo = 0;
  const step = (s: string) => `${`S${++stepNo}`.padEnd(5)}${s}`;
  const plain = (s: string) => `     ${s}`;
  const withNote = (s: string, note?: string) => (note ? `${padTo(s, 28)}' ${note}` : s);
  const frameSuffix = (f: number) => (f ? `U${f}` : "");
  const emit = (st: Step) => {
    switch (st.op) {
      case "home":
        L.push(step(`MOVE P,S=60%,A=3,T=${sc.tool}  (0.000,90.000,0.000,0.000,-90.000,0.000)A`));
        break;
      case "movej":
        L.push(step(`MOVE P,S=${st.pct}%,A=${st.accu},T=${sc.tool}  (${jointPose(st.pose)})A`));
        break;
      case "movel":
        L.push(
          withNote(
            step(
              `MOVE L,S=${st.speed}mm/sec,A=${st.accu},T=${sc.tool}  (${jointPose(st.pose)},&H0001)${frameSuffix(st.frame)}`,
            ),
            st.note,
          ),
        );
        break;
      case "movec":
        L.push(
          step(`MOVE C,S=${st.speed}mm/sec,A=0,T=${sc.tool}  (${jointPose(st.via)},&H0001)${frameSuffix(st.frame)}`),
        );
        L.push(
          step(`MOVE C,S=${st.speed}mm/sec,A=0,T=${sc.tool}  (${jointPose(st.end)},&H0001)${frameSuffix(st.frame)}`),
        );
        break;
      case "do":
        L.push(withNote(plain(`DO${st.hy}=${st.value}`), st.note));
        break;
      case "wait":
        L.push(withNote(plain(`WAIT DI${st.hy}`), st.note));
        break;
      case "delay":
        L.push(plain(`DELAY ${st.s}`));
        break;
      case "call":
        L.push(withNote(plain(`CALL ${st.job}`), st.note));
        break;
      case "frame":
        L.push(plain(`SELUCRD ${st.n}`));
        break;
      case "print":
        L.push(plain(`PRINT #0,"${st.text}"`));
        break;
    }
  };
  for (const st of sc.pre) emit(st);
  L.push(plain("V1%=0"));
  L.push(plain("*LOOP"));
  for (const st of sc.loopSteps) emit(st);
  L.push(plain("V1%=V1%+1"));
  L.push(plain(`IF V1%<${sc.loopCount} THEN *LOOP`));
  for (const st of sc.post) emit(st);
  if (sc.pre.some((s) => s.op === "frame")) L.push(plain("SELUCRD 0"));
  L.push(plain("END"));
  return `${L.join("\r\n")}\r\n`;
}

function renderHi6(sc: Scenario): string {
  const L: string[] = [`Hyundai Robot Job File; { version: 2.0, mech_type: "${sc.mech}", total_axis: 6, aux_axis: 0 }`];
  for (const h of headerLines(sc, sc.hySerial, sc.ctrlIp)) L.push(`     # ${h}`);
  L.push(`     enet2.ip_addr="${sc.peerIp}"                  # gripper controller, ${sc.plant}`);
  L.push("     var n_part=0");
  let stepNo = 0;
  const step = (s: string) => `${`S${++stepNo}`.padEnd(5)}${s}`;
  const plain = (s: string) => `     ${s}`;
  const withNote = (s: string, note?: string) => (note ? `${padTo(s, 40)}# ${note}` : s);
  const crd = (f: number) => (f ? `u${f}` : "base");
  const pose = (p: Pose, f: number) =>
    `Pose(${f1(p[0])},${f1(p[1])},${f1(p[2])},${f1(p[3])},${f1(p[4])},${f1(p[5])},"${crd(f)}")`;
  const emit = (st: Step) => {
    switch (st.op) {
      case "home":
        L.push(step(`move P,spd=60%,accu=3,tool=${sc.tool}  [0.000,90.000,0.000,0.000,-90.000,0.000]`));
        break;
      case "movej":
        L.push(step(`move P,spd=${st.pct}%,accu=${st.accu},tool=${sc.tool}  [${jointPose(st.pose)}]`));
        break;
      case "movel":
        L.push(
          withNote(
            step(`move L,tg=${pose(st.pose, st.frame)},spd=${st.speed}mm/sec,accu=${st.accu},tool=${sc.tool}`),
            st.note,
          ),
        );
        break;
      case "movec":
        L.push(step(`move C,tg=${pose(st.via, st.frame)},spd=${st.speed}mm/sec,accu=0,tool=${sc.tool}`));
        L.push(step(`move C,tg=${pose(st.end, st.frame)},spd=${st.speed}mm/sec,accu=0,tool=${sc.tool}`));
        break;
      case "do":
        L.push(withNote(plain(`do${st.hy}=${st.value}`), st.note));
        break;
      case "wait":
        L.push(withNote(plain(`wait di${st.hy},20.0,*timeout`), st.note));
        break;
      case "delay":
        L.push(plain(`delay ${st.s}`));
        break;
      case "call":
        L.push(withNote(plain(`call ${pad(st.job, 4)}_sub`), st.note));
        break;
      case "frame":
        L.push(plain(`selucrd ${st.n}`));
        break;
      case "print":
        L.push(plain(`print "${st.text}"`));
        break;
    }
  };
  for (const st of sc.pre) emit(st);
  L.push(plain("*next_part"));
  for (const st of sc.loopSteps) emit(st);
  L.push(plain("n_part=n_part+1"));
  L.push(plain(`if n_part<${sc.loopCount} then *next_part`));
  for (const st of sc.post) emit(st);
  if (sc.pre.some((s) => s.op === "frame")) L.push(plain("selucrd 0"));
  L.push(plain("end"));
  L.push(plain("*timeout"));
  L.push(plain(`print "${sc.line}: no part from infeed (ask ${sc.person})"`));
  L.push(plain("stop"));
  return `${L.join("\n")}\n`;
}

function renderDrl(sc: Scenario, hyundaiFile: string): string {
  const gloop = `gLoop${sc.date.replace(/-/g, "").slice(2)}${sc.time.replace(/:/g, "")}`;
  const L: string[] = ["# =============================================================="];
  for (const h of headerLines(sc, sc.dsSerial, sc.drlIp)) L.push(`# ${h}`);
  L.push(`# Converted from Hyundai ${hyundaiFile} (S/N ${sc.hySerial}) by ${sc.person}, ${sc.date}`);
  L.push(`# Time : ${sc.date} ${sc.time}`);
  L.push("# ==============================================================");
  L.push("set_singularity_handling(DR_AVOID)");
  L.push(`set_tool("TW_GRIP_T${sc.tool}")`);
  L.push(`set_tcp("GRIP_T${sc.tool}")`);
  L.push(
    `add_modbus_signal(ip="${sc.peerIp}", port=${sc.port}, name="cell_io", reg_type=DR_MODBUS_REG_OUTPUT, index=0, value=0)`,
  );
  const frames = new Set<number>();
  for (const st of [...sc.pre, ...sc.loopSteps, ...sc.post])
    if ((st.op === "movel" || st.op === "movec") && st.frame) frames.add(st.frame);
  for (const f of frames)
    L.push(
      `U${f} = set_user_cart_coord(posx(${900 + 50 * f}.0, -250.0, 620.0, 0.0, 0.0, 0.0), ref=DR_BASE)  # HY user frame ${f}`,
    );
  L.push("HOME = posj(0, 0, 90, 0, 90, 0)");
  const px = (p: Pose) => `posx(${f1(p[0])}, ${f1(p[1])}, ${f1(p[2])}, ${f1(p[3])}, 180.0, ${f1(p[5])})`;
  const ref = (f: number) => (f ? `U${f}` : "DR_BASE");
  const radius = (a: number) => [0, 1, 5, 20, 50, 100, 200, 300][a] ?? 0;
  const emit = (st: Step, ind: string) => {
    const note = (s: string, n?: string) => (n ? `${padTo(ind + s, 60)}# ${n}` : ind + s);
    switch (st.op) {
      case "home":
        L.push(note("movej(HOME, vel=60, acc=120, radius=20)"));
        break;
      case "movej":
        L.push(
          note(
            `movej(posj(${st.pose.map((v) => f1(v)).join(", ")}), vel=${st.pct}, acc=${st.pct * 2}, radius=${radius(st.accu)})`,
          ),
        );
        break;
      case "movel":
        L.push(
          note(
            `movel(${px(st.pose)}, vel=${st.speed}, acc=1000, radius=${radius(st.accu)}, ref=${ref(st.frame)})`,
            st.note,
          ),
        );
        break;
      case "movec":
        L.push(note(`movec(${px(st.via)}, ${px(st.end)}, vel=${st.speed}, acc=500, radius=0, ref=${ref(st.frame)})`));
        break;
      case "do":
        L.push(note(`set_digital_output(${st.ds}, ${st.value ? "ON" : "OFF"})`, st.note));
        break;
      case "wait":
        L.push(note(`wait_digital_input(${st.ds}, ON)`, st.note));
        break;
      case "delay":
        L.push(note(`wait(${st.s})`));
        break;
      case "call":
        L.push(note(`sub_program_run("job_${pad(st.job, 4)}")`, st.note));
        break;
      case "frame":
        L.push(note(`set_ref_coord(U${st.n})`));
        break;
      case "print":
        L.push(note(`tp_log("${st.text}")`));
        break;
    }
  };
  for (const st of sc.pre) emit(st, "");
  L.push(`${gloop} = 0`);
  L.push(`while ${gloop} < ${sc.loopCount}:`);
  for (const st of sc.loopSteps) emit(st, "    ");
  L.push(`    ${gloop} = ${gloop} + 1`);
  for (const st of sc.post) emit(st, "");
  if (sc.pre.some((s) => s.op === "frame")) L.push("set_ref_coord(DR_BASE)");
  return `${L.join("\n")}\n`;
}
