import type { ScenarioStep, SyntheticScenario } from "./plan-synthetic-scenario.js";
import { jointPose, padTo, renderScenarioHeader } from "./render-scenario-header.js";

/** Hi5 `NNNN.JOB` text of a scenario (CRLF line ends, as the controller writes them). */
export function renderHi5Job(sc: SyntheticScenario): string {
  const L: string[] = [`Program File Format Version : 1.6  MechType: ${sc.mech}  TotalAxis: 6  AuxAxis: 0`];
  L.push("     '==============================================================");
  for (const h of renderScenarioHeader(sc, sc.hySerial, sc.ctrlIp)) L.push(`     ' ${h}`);
  L.push(`     ' Sealer ctrl ${sc.peerIp}:${sc.port} (Modbus/TCP)`);
  L.push("     '==============================================================");
  let stepNo = 0;
  const step = (s: string) => `${`S${++stepNo}`.padEnd(5)}${s}`;
  const plain = (s: string) => `     ${s}`;
  const withNote = (s: string, note?: string) => (note ? `${padTo(s, 28)}' ${note}` : s);
  const frameSuffix = (f: number) => (f ? `U${f}` : "");
  const emit = (st: ScenarioStep) => {
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
