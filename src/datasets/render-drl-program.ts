import type { Pose, ScenarioStep, SyntheticScenario } from "./plan-synthetic-scenario.js";
import { f1, pad, padTo, renderScenarioHeader } from "./render-scenario-header.js";

/** The Doosan DRL program that does what the scenario's Hyundai job does. */
export function renderDrlProgram(sc: SyntheticScenario, hyundaiFile: string): string {
  const gloop = `gLoop${sc.date.replace(/-/g, "").slice(2)}${sc.time.replace(/:/g, "")}`;
  const L: string[] = ["# =============================================================="];
  for (const h of renderScenarioHeader(sc, sc.dsSerial, sc.drlIp)) L.push(`# ${h}`);
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
  const emit = (st: ScenarioStep, ind: string) => {
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
