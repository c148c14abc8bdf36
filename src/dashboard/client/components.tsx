// Small shared pieces: a segmented choice, a stat tile, loading and error states.
import type { Child } from 'hono/jsx'

export interface Choice<T extends string | number> { value: T; label: string }

/** A one-of-several switch: buttons with aria-pressed, grouped under a label. */
export const Segmented = <T extends string | number>(props: { label: string; value: T; choices: Choice<T>[]; onChange: (v: T) => void }) => (
  <div class="field">
    <span id={`seg-${props.label}`}>{props.label}</span>
    <div class="segmented" role="group" aria-labelledby={`seg-${props.label}`}>
      {props.choices.map((c) => (
        <button type="button" aria-pressed={c.value === props.value ? 'true' : 'false'} onClick={() => props.onChange(c.value)}>{c.label}</button>
      ))}
    </div>
  </div>
)

export const Stat = (props: { label: string; value: Child; testId?: string }) => (
  <div class="stat">
    <dt>{props.label}</dt>
    <dd data-testid={props.testId}>{props.value}</dd>
  </div>
)

export const Loading = ({ what }: { what: string }) => <p class="muted" role="status">Loading {what}…</p>

export const ErrorNote = ({ error }: { error: unknown }) => <p class="error" role="alert">{error instanceof Error ? error.message : String(error)}</p>

/** Shown on pages an inference key or a management key cannot use. */
export const NeedsKind = ({ kind, why }: { kind: 'an API key' | 'a management key' | "the operator's ADMIN_TOKEN"; why: string }) => (
  <section class="card narrow">
    <p>{why}</p>
    <p>Sign out and sign in with {kind} to use it.</p>
  </section>
)

/** A table's scrolling box: focusable and named, so keyboard users can scroll it too. */
export const TableWrap = ({ label, children, class: extra }: { label: string; children: Child; class?: string }) => (
  <div class={`table-wrap${extra ? ` ${extra}` : ''}`} tabindex={0} role="region" aria-label={label}>{children}</div>
)
