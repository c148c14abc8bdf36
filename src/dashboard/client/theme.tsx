// Light, dark or the system's theme: a cookie (not secret) so the server renders the first
// paint in the chosen colours (shell.ts), and the `data-theme` attribute the stylesheet reads.
import { useEffect, useState } from 'hono/jsx/dom'

type Theme = 'system' | 'light' | 'dark'
const ORDER: Theme[] = ['system', 'light', 'dark']
const LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' }

const current = (): Theme => {
  const t = document.documentElement.dataset.theme
  return t === 'light' || t === 'dark' ? t : 'system'
}

export const ThemeToggle = () => {
  const [theme, setTheme] = useState<Theme>(current())
  const next = () => {
    const t = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length] ?? 'system'
    document.documentElement.dataset.theme = t
    document.cookie = t === 'system' ? 'theme=; Path=/; Max-Age=0; SameSite=Lax' : `theme=${t}; Path=/; Max-Age=31536000; SameSite=Lax`
    setTheme(t)
    window.dispatchEvent(new Event('themechange'))
  }
  return <button type="button" class="button ghost" onClick={next} title="Switch between the system, light and dark themes">{LABEL[theme]}</button>
}

/**
 * A number that changes whenever the theme does (the toggle, or the system's scheme): charts
 * read their colours when drawn, so they redraw on it.
 */
export const useThemeTick = (): number => {
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const redraw = () => setTick((t) => t + 1)
    const media = matchMedia('(prefers-color-scheme: dark)')
    window.addEventListener('themechange', redraw)
    media.addEventListener('change', redraw)
    return () => {
      window.removeEventListener('themechange', redraw)
      media.removeEventListener('change', redraw)
    }
  }, [])
  return tick
}
