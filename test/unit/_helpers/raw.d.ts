// Vite's `?raw` imports (text fixtures) as strings, for the type checker.
declare module '*?raw' {
  const text: string
  export default text
}
