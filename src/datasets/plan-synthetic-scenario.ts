import type { SeededRng } from "./create-seeded-rng.js";

/**
 * The abstract job behind one synthetic pair: what the cell does (steps) and the fictitious
 * sensitive values a real program of that cell would carry. The dialect renderers turn it into
 * text; every value planted here is one the tests prove redaction removes.
 */

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

const HI5_MECH = ["693(HS220-03)", "578(HA006L-02)", "368(HA006A-01)"];
const HI6_MECH = ["458(HA006B-01)", "780(YL012-0D)"];
const DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"];
const pad = (n: number, w: number) => String(n).padStart(w, "0");

export type Pose = [number, number, number, number, number, number];

/** One abstract step, rendered into each dialect. */
export type ScenarioStep =
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

export interface SyntheticScenario {
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
  pre: ScenarioStep[];
  loopSteps: ScenarioStep[];
  post: ScenarioStep[];
}

/** Draws one scenario; the order of draws is fixed, so a seed always gives the same scenario. */
export function planSyntheticScenario(rng: SeededRng, dialect: "hi5-job" | "hi6-job"): SyntheticScenario {
  const customer = rng.pick(SYNTHETIC_LISTS.customers);
  const plant = rng.pick(SYNTHETIC_LISTS.plants);
  const line = rng.pick(SYNTHETIC_LISTS.lines);
  const net = rng.pick(DOC_NETS);
  const host = rng.int(10, 240);
  const date = `20${rng.int(22, 25)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;
  const time = `${pad(rng.int(6, 22), 2)}:${pad(rng.int(0, 59), 2)}:${pad(rng.int(0, 59), 2)}`;
  const tool = rng.int(1, 4);
  const steps: ScenarioStep[] = [{ op: "home" }];
  const loopSteps: ScenarioStep[] = [];
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
