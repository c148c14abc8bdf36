// The common sampling parameters (Playground, Compare): empty fields are left out of the request.
import type { ChatParams } from './stream-chat.ts'

export interface Params { temperature: string; max_tokens: string; top_p: string }
export const DEFAULT_PARAMS: Params = { temperature: '', max_tokens: '', top_p: '' }

/** The fields that are set, as numbers. */
export const paramsOf = (p: Params): Pick<ChatParams, 'temperature' | 'max_tokens' | 'top_p'> => ({
  ...(p.temperature !== '' ? { temperature: Number(p.temperature) } : {}),
  ...(p.max_tokens !== '' ? { max_tokens: Number(p.max_tokens) } : {}),
  ...(p.top_p !== '' ? { top_p: Number(p.top_p) } : {}),
})

export const ParamFields = ({ value, onChange, prefix }: { value: Params; onChange: (p: Params) => void; prefix: string }) => {
  const field = (name: keyof Params, label: string, attrs: { min: string; max: string; step: string }) => (
    <div class="field">
      <label for={`${prefix}-${name}`}>{label}</label>
      <input id={`${prefix}-${name}`} type="number" {...attrs} value={value[name]} placeholder="default" onInput={(e: Event) => onChange({ ...value, [name]: (e.target as HTMLInputElement).value })} />
    </div>
  )
  return (
    <>
      {field('temperature', 'Temperature', { min: '0', max: '2', step: '0.1' })}
      {field('max_tokens', 'Max tokens', { min: '1', max: '1000000', step: '1' })}
      {field('top_p', 'Top p', { min: '0', max: '1', step: '0.05' })}
    </>
  )
}
