/// <reference types="node" />
// A dependency-free SVG chart: GFLOP/s per layer (rows) per engine (grouped horizontal bars).

export interface ChartRow {
  layer: string;
  values: Record<string, number | undefined>;
}

const COLORS = ['#1f77b4', '#6baed6', '#999999', '#ff7f0e', '#2ca02c', '#9467bd', '#d62728'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(title: string, rows: ChartRow[]): string {
  const engines = [...new Set(rows.flatMap((r) => Object.keys(r.values).filter((e) => r.values[e] !== undefined)))];
  const max = Math.max(1, ...rows.flatMap((r) => Object.values(r.values).filter((v): v is number => v !== undefined)));
  const labelWidth = 260;
  const plotWidth = 560;
  const bar = 11;
  const groupHeight = engines.length * bar + 12;
  const top = 56;
  const height = top + rows.length * groupHeight + 30;
  const width = labelWidth + plotWidth + 80;
  const scale = (v: number) => (v / max) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${escape(title)}</text>`,
    `<text x="10" y="34">GFLOP/s (2 × direct multiply-adds / median time); longer is faster</text>`,
  ];
  engines.forEach((engine, i) => {
    const x = labelWidth + (i * plotWidth) / engines.length;
    out.push(`<rect x="${x}" y="40" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`, `<text x="${x + 14}" y="49">${escape(engine)}</text>`);
  });
  rows.forEach((row, r) => {
    const y0 = top + r * groupHeight;
    out.push(`<text x="${labelWidth - 8}" y="${y0 + (engines.length * bar) / 2 + 4}" text-anchor="end">${escape(row.layer)}</text>`);
    engines.forEach((engine, i) => {
      const value = row.values[engine];
      if (value === undefined) return;
      const y = y0 + i * bar;
      out.push(
        `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, scale(value)).toFixed(1)}" height="${bar - 2}" fill="${COLORS[i % COLORS.length]}"/>`,
        `<text x="${labelWidth + scale(value) + 4}" y="${y + bar - 3}" font-size="9">${value.toFixed(value < 10 ? 2 : 1)}</text>`,
      );
    });
  });
  for (let t = 0; t <= 4; t++) {
    const x = labelWidth + (t * plotWidth) / 4;
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 24}" stroke="#ddd"/>`, `<text x="${x}" y="${height - 10}" text-anchor="middle">${((t * max) / 4).toFixed(1)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
