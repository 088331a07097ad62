import type { EvalReport } from "./types.js";

const COLORS = { release: "#2563eb", base: "#9ca3af", previous: "#f59e0b" } as const;
/** Enough for a readable card; more rows would be an unreadable picture, and the table has them all. */
const MAX_ROWS = 16;
/** Value-axis ticks, in percent: every 20 points reads at a glance without crowding the labels. */
const TICKS = [0, 20, 40, 60, 80, 100] as const;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * A horizontal grouped bar chart (SVG) of the release against the base model and the previous
 * release, for metrics on a 0–100% scale without a slice. Deterministic: same report, same bytes.
 * Returns undefined when there is nothing to draw.
 */
export function renderEvalChart(params: {
  report: EvalReport;
  title: string;
  releaseLabel: string;
}): string | undefined {
  const { report, title, releaseLabel } = params;
  const rows = report.comparison.rows.filter((r) => r.scale === "fraction" && !r.slice).slice(0, MAX_ROWS);
  if (rows.length === 0) return undefined;
  const series: { key: keyof typeof COLORS; label: string; present: boolean }[] = [
    { key: "release", label: releaseLabel, present: true },
    { key: "base", label: report.base?.label ?? "base", present: rows.some((r) => r.base !== undefined) },
    {
      key: "previous",
      label: report.previous?.label ?? "previous",
      present: rows.some((r) => r.previous !== undefined),
    },
  ];
  const shown = series.filter((s) => s.present);
  const width = 760;
  const labelW = 250;
  const barMax = width - labelW - 70;
  const barH = 12;
  const groupH = shown.length * (barH + 2) + 12;
  const top = 56;
  const axisY = top + rows.length * groupH;
  // Room under the bars for the value axis: tick marks, their labels and the axis title.
  const height = axisY + 44;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold" fill="#111827">${esc(title)}</text>`,
  );
  // The value axis: light grid lines behind the bars, ticks and percent labels under them.
  for (const t of TICKS) {
    const x = (labelW + (t / 100) * barMax).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${axisY}" stroke="#f3f4f6"/>`,
      `<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" stroke="#6b7280"/>`,
      `<text x="${x}" y="${axisY + 16}" text-anchor="middle" fill="#6b7280">${t}%</text>`,
    );
  }
  out.push(
    `<line x1="${labelW}" y1="${axisY}" x2="${(labelW + barMax).toFixed(1)}" y2="${axisY}" stroke="#6b7280"/>`,
    `<text x="${(labelW + barMax / 2).toFixed(1)}" y="${axisY + 34}" text-anchor="middle" fill="#374151">score (%)</text>`,
  );
  let lx = 12;
  for (const s of shown) {
    out.push(
      `<rect x="${lx}" y="34" width="12" height="12" fill="${COLORS[s.key]}"/>`,
      `<text x="${lx + 16}" y="44" fill="#374151">${esc(s.label)}</text>`,
    );
    lx += 28 + s.label.length * 7;
  }
  rows.forEach((r, i) => {
    const y0 = top + i * groupH;
    // The direction is part of the label: a shorter bar is better for error rates.
    const label = `${r.benchmark} · ${r.metric}${r.filter ? ` (${r.filter})` : ""} ${r.higherIsBetter ? "↑" : "↓"}`;
    out.push(
      `<text x="${labelW - 8}" y="${y0 + groupH / 2}" text-anchor="end" fill="#111827">${esc(label.length > 38 ? `${label.slice(0, 37)}…` : label)}</text>`,
    );
    shown.forEach((s, j) => {
      const v = s.key === "release" ? r.release.value : r[s.key];
      const y = y0 + 4 + j * (barH + 2);
      if (v === undefined) {
        out.push(`<text x="${labelW + 4}" y="${y + barH - 2}" fill="#9ca3af">n/a</text>`);
        return;
      }
      const w = Math.max(0, Math.min(1, v)) * barMax;
      out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[s.key]}"/>`);
      // Error bar: ± one standard error of the release's score, as in the table.
      const se = s.key === "release" ? r.release.stderr : undefined;
      let textX = labelW + w + 4;
      if (se !== undefined && se > 0) {
        const lo = labelW + Math.max(0, Math.min(1, v - se)) * barMax;
        const hi = labelW + Math.max(0, Math.min(1, v + se)) * barMax;
        const cy = y + barH / 2;
        out.push(
          `<path d="M${lo.toFixed(1)} ${cy}H${hi.toFixed(1)}M${lo.toFixed(1)} ${y + 2}V${y + barH - 2}M${hi.toFixed(1)} ${y + 2}V${y + barH - 2}" stroke="#111827" stroke-width="1"/>`,
        );
        textX = Math.max(textX, hi + 4);
      }
      out.push(
        `<text x="${textX.toFixed(1)}" y="${y + barH - 2}" fill="#374151">${(v * 100).toFixed(1)}%${se !== undefined && se > 0 ? ` ± ${(se * 100).toFixed(1)}` : ""}</text>`,
      );
    });
  });
  out.push(`<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${axisY}" stroke="#6b7280"/>`, `</svg>`, "");
  return out.join("\n");
}
