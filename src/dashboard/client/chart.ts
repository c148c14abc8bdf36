// Chart.js, registered with only what the dashboard draws (stacked bars), and coloured from
// the stylesheet's custom properties so it follows the light and dark themes.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend)

/** Distinct in both themes, and in this order for the series largest first. */
const PALETTE = ['#4c6ef5', '#f59f00', '#12b886', '#e64980', '#7950f2', '#15aabf', '#fa5252', '#868e96']

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

export interface StackedBars {
  labels: string[]
  series: { name: string; values: number[] }[]
  /** Formats an axis tick or tooltip value. */
  format: (v: number) => string
}

export const drawStackedBars = (canvas: HTMLCanvasElement, data: StackedBars): Chart => {
  const text = cssVar('--muted') || '#545b68'
  const grid = cssVar('--border') || '#d5d9e0'
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => ({ label: s.name, data: s.values, backgroundColor: PALETTE[i % PALETTE.length], borderWidth: 0, maxBarThickness: 48 })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, ticks: { color: text }, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, ticks: { color: text, callback: (v) => data.format(Number(v)) }, grid: { color: grid } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: text, boxWidth: 12 } },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label ?? ''}: ${data.format(Number(ctx.parsed.y))}` } },
      },
    },
  })
}
