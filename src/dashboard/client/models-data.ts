// The /models catalog as the Models page filters it. Pure.

export interface Model {
  id: string
  name: string
  description: string
  context_length: number | null
  architecture: { input_modalities: string[]; output_modalities: string[] }
  pricing: { prompt: string; completion: string; request?: string }
  supported_parameters: string[]
  reasoning?: unknown
}

export interface ModelFilter {
  text: string
  /** An input modality the model must take ('' = any). */
  input: string
  /** An output modality ('' = any). */
  output: string
  /** The author (the id's part before the slash; '' = any). */
  author: string
  minContext: number
  /** USD per million prompt tokens at most (null = any). */
  maxPromptPerM: number | null
  tools: boolean
  reasoning: boolean
  /** A provider's slug ('' = any): the model must have an endpoint there. */
  provider: string
}

export const NO_FILTER: ModelFilter = { text: '', input: '', output: '', author: '', minContext: 0, maxPromptPerM: null, tools: false, reasoning: false, provider: '' }

export const authorOf = (id: string) => id.split('/')[0] ?? id
export const takesTools = (m: Model) => m.supported_parameters.includes('tools')
export const reasons = (m: Model) => m.reasoning !== undefined || m.supported_parameters.includes('reasoning') || m.supported_parameters.includes('include_reasoning')

/** `servedBy`: the ids of the models the chosen provider serves (GET /models?provider=); until known, nothing matches a provider filter. */
export const filterModels = (models: Model[], f: ModelFilter, servedBy: ReadonlySet<string> | null = null): Model[] => {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean)
  return models.filter((m) => {
    const hay = `${m.id} ${m.name} ${m.description}`.toLowerCase()
    if (!words.every((w) => hay.includes(w))) return false
    if (f.input && !m.architecture.input_modalities.includes(f.input)) return false
    if (f.output && !m.architecture.output_modalities.includes(f.output)) return false
    if (f.author && authorOf(m.id) !== f.author) return false
    if ((m.context_length ?? 0) < f.minContext) return false
    if (f.maxPromptPerM !== null && Number(m.pricing.prompt) * 1_000_000 > f.maxPromptPerM) return false
    if (f.tools && !takesTools(m)) return false
    if (f.reasoning && !reasons(m)) return false
    if (f.provider && !servedBy?.has(m.id)) return false
    return true
  })
}

/** The distinct values of a list, sorted: the options of a filter. */
export const distinct = (values: string[]) => [...new Set(values)].sort((a, b) => a.localeCompare(b))

export interface DataPolicy { training: boolean; retains_prompts: boolean; zdr: boolean }

/** An endpoint's data policy in a few words: zero data retention, else training and retention. */
export const dataPolicyText = (p: DataPolicy | undefined) =>
  !p ? 'Unknown' : p.zdr ? 'Zero data retention' : `${p.training ? 'Trains on prompts' : 'No training'}; ${p.retains_prompts ? 'retains prompts' : 'no retention'}`
