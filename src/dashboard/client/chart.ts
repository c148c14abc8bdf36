// Chart.js, registered with only what the dashboard draws (stacked bars, lines), and coloured from
// the stylesheet's custom properties so it follows the light and dark themes.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js'

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend)

/** Distinct in both themes, and in this order for the series largest first. */
const PALETTE = ['#4c6ef5', '#f59f00', '#12b886', '#e64980', '#7950f2', '#15aabf', '#fa5252', '#868e96']

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

export interface StackedBars {
  labels: string[]
  series: { name: string; values: number[] }[]
  /** Formats an axis tick or tooltip value. */
  format: (v: number) => string
}

export interface Lines {
  labels: string[]
  series: { name: string; values: (number | null)[] }[]
  format: (v: number) => string
}

/** The theme's text and grid colours, read when a chart is drawn (the theme may have changed). */
const themed = () => ({ text: cssVar('--muted') || '#545b68', grid: cssVar('--border') || '#d5d9e0' })

/** What every chart over the days shares: days along x, formatted values up y, one tooltip for all series of a day. */
const overDays = (format: (v: number) => string, stacked: boolean) => {
  const { text, grid } = themed()
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    interaction: { mode: 'index' as const, intersect: false },
    scales: {
      x: { stacked, ticks: { color: text }, grid: { display: false } },
      y: { stacked, beginAtZero: true, ticks: { color: text, callback: (v: string | number) => format(Number(v)) }, grid: { color: grid } },
    },
    plugins: {
      legend: { position: 'bottom' as const, labels: { color: text, boxWidth: 12 } },
      tooltip: { callbacks: { label: (ctx: { dataset: { label?: string }; parsed: { y: number | null } }) => `${ctx.dataset.label ?? ''}: ${format(Number(ctx.parsed.y))}` } },
    },
  }
}

/** A re-render may reach the canvas before the last chart's cleanup: never stack two on it. */
const fresh = (canvas: HTMLCanvasElement) => Chart.getChart(canvas)?.destroy()

export const drawStackedBars = (canvas: HTMLCanvasElement, data: StackedBars): Chart => {
  fresh(canvas)
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => ({ label: s.name, data: s.values, backgroundColor: PALETTE[i % PALETTE.length], borderWidth: 0, maxBarThickness: 48 })),
    },
    options: overDays(data.format, true),
  })
}

/** Lines over the days (gaps where a day has no value), e.g. latency p50 and p95. */
export const drawLines = (canvas: HTMLCanvasElement, data: Lines): Chart => {
  fresh(canvas)
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => ({
        label: s.name, data: s.values, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], borderDash: i % 2 === 1 ? [6, 4] : [], spanGaps: false, pointRadius: 3,
      })),
    },
    options: overDays(data.format, false),
  })
}

export interface Ranked {
  labels: string[]
  values: number[]
  /** The dataset's name (the legend is hidden: one series). */
  name: string
  format: (v: number) => string
}

/** Horizontal bars, largest first as given: a leaderboard. */
export const drawRanking = (canvas: HTMLCanvasElement, data: Ranked): Chart => {
  fresh(canvas)
  const { text, grid } = themed()
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: data.labels, datasets: [{ label: data.name, data: data.values, backgroundColor: PALETTE[0], borderWidth: 0, maxBarThickness: 28 }] },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { beginAtZero: true, ticks: { color: text, callback: (v) => data.format(Number(v)) }, grid: { color: grid } },
        y: { ticks: { color: text }, grid: { display: false } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${data.name}: ${data.format(Number(ctx.parsed.x))}` } },
      },
    },
  })
}
