import type { Pose, SyntheticScenario } from "./plan-synthetic-scenario.js";

/*
 * Header comment lines and number formatting shared by the three dialect renderers
 * (render-hi5-job, render-hi6-job, render-drl-program).
 */

export const pad = (n: number, w: number) => String(n).padStart(w, "0");
export const f3 = (x: number) => x.toFixed(3);
export const f1 = (x: number) => x.toFixed(1);
// Trailing comments start in a column, or two spaces after a long statement.
export const padTo = (s: string, w: number) => (s.length >= w - 1 ? `${s}  ` : s.padEnd(w));
export const jointPose = (p: Pose) => `${f3(p[0])},${f3(p[1])},${f3(p[2])},${f3(p[3])},${f3(p[4])},${f3(p[5])}`;

/** The header block a real program carries: customer, line, part, controller, who taught it. */
export function renderScenarioHeader(sc: SyntheticScenario, robotSerial: string, ip: string): string[] {
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
