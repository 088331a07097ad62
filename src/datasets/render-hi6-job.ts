import type { Pose, ScenarioStep, SyntheticScenario } from "./plan-synthetic-scenario.js";
import { f1, jointPose, pad, padTo, renderScenarioHeader } from "./render-scenario-header.js";

/** Hi6 HRScript `.job` text of a scenario. */
export function renderHi6Job(sc: SyntheticScenario): string {
  const L: string[] = [`Hyundai Robot Job File; { version: 2.0, mech_type: "${sc.mech}", total_axis: 6, aux_axis: 0 }`];
  for (const h of renderScenarioHeader(sc, sc.hySerial, sc.ctrlIp)) L.push(`     # ${h}`);
  L.push(`     enet2.ip_addr="${sc.peerIp}"                  # gripper controller, ${sc.plant}`);
  L.push("     var n_part=0");
  let stepNo = 0;
  const step = (s: string) => `${`S${++stepNo}`.padEnd(5)}${s}`;
  const plain = (s: string) => `     ${s}`;
  const withNote = (s: string, note?: string) => (note ? `${padTo(s, 40)}# ${note}` : s);
  const crd = (f: number) => (f ? `u${f}` : "base");
  const pose = (p: Pose, f: number) =>
    `Pose(${f1(p[0])},${f1(p[1])},${f1(p[2])},${f1(p[3])},${f1(p[4])},${f1(p[5])},"${crd(f)}")`;
  const emit = (st: ScenarioStep) => {
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
