// The dashboard's charts, drawn with uPlot (served from the project's node_modules, never a CDN): time on
// the x axis in local time, values on a labelled y axis, a legend and a tooltip with the values under the
// cursor.
import uPlot from '/vendor/uPlot.esm.js';

const COLORS = {
  blue: '#58a6ff',
  green: '#3fb950',
  red: '#f85149',
  amber: '#d29922',
  purple: '#bc8cff',
  muted: '#8b98a5',
  line: '#2a343f',
};

const perSecond = (v) => (v === null || v === undefined ? '–' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)}/s`);
const millis = (v) =>
  v === null || v === undefined ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
const count = (v) => (v === null || v === undefined ? '–' : String(Math.round(v)));

/** What each chart draws: its series (keys of a series point), colours, unit and y-axis label. */
export const CHARTS = {
  throughput: {
    label: 'orders/s',
    format: perSecond,
    axis: (v) => String(+v.toFixed(2)),
    series: [
      { label: 'accepted', key: 'accepted_per_s', stroke: COLORS.blue },
      { label: 'completed', key: 'completed_per_s', stroke: COLORS.green },
      { label: 'failed', key: 'failed_per_s', stroke: COLORS.red },
    ],
  },
  latency: {
    label: 'ms',
    format: millis,
    series: [
      { label: 'p50', key: 'e2e_p50_ms', stroke: COLORS.blue },
      { label: 'p95', key: 'e2e_p95_ms', stroke: COLORS.amber },
    ],
  },
  queue: {
    label: 'count',
    format: count,
    // whole numbers only: ticks at 0.5 would read "1" twice
    incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1e6],
    series: [
      { label: 'ready', key: 'queue_visible', stroke: COLORS.blue },
      { label: 'in flight', key: 'queue_in_flight', stroke: COLORS.purple },
      { label: 'retrying orders', key: 'retrying', stroke: COLORS.amber },
    ],
  },
};

/** A tooltip that follows the cursor with the time and every series' value at that point. */
function tooltip(format) {
  let box;
  return {
    hooks: {
      init(u) {
        box = document.createElement('div');
        box.className = 'chart-tooltip';
        box.hidden = true;
        u.over.append(box);
        u.over.addEventListener('mouseleave', () => {
          box.hidden = true;
        });
      },
      setCursor(u) {
        const { left, top, idx } = u.cursor;
        if (idx === null || idx === undefined || left === undefined || left < 0) {
          box.hidden = true;
          return;
        }
        const rows = [new Date(u.data[0][idx] * 1000).toLocaleTimeString()];
        u.series.forEach((s, i) => {
          if (i > 0 && s.show) rows.push(`${s.label}: ${format(u.data[i][idx])}`);
        });
        box.replaceChildren(
          ...rows.map((text, i) => {
            const line = document.createElement('div');
            line.textContent = text;
            if (i > 0) line.style.color = u.series[i]?.stroke ?? '';
            return line;
          }),
        );
        box.hidden = false;
        const flip = left > u.over.clientWidth / 2;
        box.style.left = flip ? '' : `${left + 12}px`;
        box.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
        box.style.top = `${Math.max(0, top - 10)}px`;
      },
    },
  };
}

function options(spec, width) {
  const axis = {
    stroke: COLORS.muted,
    grid: { stroke: COLORS.line, width: 1 },
    ticks: { stroke: COLORS.line, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  return {
    width,
    height: 190,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] } },
    axes: [
      { ...axis },
      {
        ...axis,
        label: spec.label,
        labelFont: '11px system-ui, sans-serif',
        labelSize: 18,
        size: 56,
        values: (_u, values) => values.map((v) => (spec.axis ?? spec.format)(v)),
        ...(spec.incrs ? { incrs: spec.incrs } : {}),
      },
    ],
    series: [
      { value: (_u, t) => (t === null ? '–' : new Date(t * 1000).toLocaleTimeString()) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 2,
        points: { show: false },
        value: (_u, v) => spec.format(v),
      })),
    ],
    plugins: [tooltip(spec.format)],
  };
}

/** A chart in `container` that `update(points)` redraws; it follows the container's width. */
export function createChart(container, spec) {
  let plot;
  const data = (points) => [
    points.map((p) => p.t / 1000),
    ...spec.series.map((s) => points.map((p) => p[s.key] ?? null)),
  ];
  new ResizeObserver(() => plot?.setSize({ width: container.clientWidth, height: 190 })).observe(container);
  return {
    update(points) {
      if (!plot) plot = new uPlot(options(spec, container.clientWidth || 400), data(points), container);
      else plot.setData(data(points));
    },
  };
}
