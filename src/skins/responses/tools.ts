// Responses tools ↔ canonical (chat) function tools. Function tools map one to one;
// custom tools (free-form input, e.g. Codex's apply_patch) become a function with one
// string argument `input`; namespaced tools are flattened. The same table names tool
// calls coming back, so a call reaches the client as the kind of tool it declared.
import type { CanonicalRequest } from '../../providers/types.ts'
import { invalidParam } from './errors.ts'
import type { CustomTool, FunctionTool, ResponsesRequest, ToolChoice } from './request.ts'

type CanonicalTool = NonNullable<CanonicalRequest['tools']>[number]
type CanonicalToolChoice = NonNullable<CanonicalRequest['tool_choice']>

/** What the client declared behind one canonical function name. */
export interface ToolOrigin {
  name: string
  namespace?: string
  custom: boolean
}

export interface ToolTable {
  tools: CanonicalTool[]
  /** Canonical function name → the client's tool. */
  origins: Map<string, ToolOrigin>
  /** The canonical name of a client tool (also for history calls to tools no longer declared). */
  canonicalName(name: string, namespace?: string | null): string
}

const MAX_NAME = 64
const qualified = (namespace: string, name: string) => `${namespace}__${name}`

const CUSTOM_INPUT = 'input'

const customParameters = (tool: CustomTool): Record<string, unknown> => {
  const f = tool.format
  const grammar = f?.type === 'grammar' && f.definition
    ? `Must match this ${f.syntax ? `${f.syntax} ` : ''}grammar:\n${f.definition}`
    : 'Free-form text.'
  return {
    type: 'object',
    properties: { [CUSTOM_INPUT]: { type: 'string', description: grammar } },
    required: [CUSTOM_INPUT],
    additionalProperties: false,
  }
}

const toCanonicalTool = (name: string, tool: FunctionTool | CustomTool): CanonicalTool => ({
  type: 'function',
  function: tool.type === 'function'
    ? {
        name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
        ...(tool.strict != null ? { strict: tool.strict } : {}),
      }
    : { name, ...(tool.description ? { description: tool.description } : {}), parameters: customParameters(tool) },
})

/**
 * The request's tools as the model sees them. A namespaced tool keeps its own name unless
 * another tool has it too; then it is `<namespace>__<name>`.
 */
export const toolTable = (req: ResponsesRequest): ToolTable => {
  const declared: { tool: FunctionTool | CustomTool; namespace?: string; path: string }[] = []
  for (const [i, t] of (req.tools ?? []).entries()) {
    if (t.type === 'function' || t.type === 'custom') declared.push({ tool: t, path: `tools.${i}` })
    else if (t.type === 'namespace') for (const [j, inner] of t.tools.entries()) declared.push({ tool: inner, namespace: t.name, path: `tools.${i}.tools.${j}` })
  }
  const count = new Map<string, number>()
  for (const d of declared) count.set(d.tool.name, (count.get(d.tool.name) ?? 0) + 1)
  const canonicalName = (name: string, namespace?: string | null): string =>
    namespace && (count.get(name) ?? 0) > 1 ? qualified(namespace, name) : name

  const tools: CanonicalTool[] = []
  const origins = new Map<string, ToolOrigin>()
  for (const d of declared) {
    const name = canonicalName(d.tool.name, d.namespace)
    if (name.length > MAX_NAME) invalidParam(`${d.path}.name`, `"${name}" (namespace and name) is longer than ${MAX_NAME} characters`)
    if (origins.has(name)) invalidParam(`${d.path}.name`, `tool "${name}" is declared twice`)
    origins.set(name, { name: d.tool.name, ...(d.namespace ? { namespace: d.namespace } : {}), custom: d.tool.type === 'custom' })
    tools.push(toCanonicalTool(name, d.tool))
  }
  return { tools, origins, canonicalName }
}

const refuseChoice = (message: string): never => invalidParam('tool_choice', message)

/** tool_choice and the tools it leaves offered (`allowed_tools` narrows them). */
export const toolChoiceOf = (
  choice: ToolChoice | null | undefined,
  table: ToolTable,
): { tool_choice?: CanonicalToolChoice; tools: CanonicalTool[] } => {
  if (choice == null) return { tools: table.tools }
  if (typeof choice === 'string') return { tool_choice: choice, tools: table.tools }
  if (choice.type === 'allowed_tools') {
    const allowed = new Set(choice.tools.flatMap((t) => (t.name ? [table.canonicalName(t.name)] : [])))
    const tools = table.tools.filter((t) => allowed.has(t.function.name))
    if (tools.length === 0) refuseChoice('allowed_tools names none of the function or custom tools in `tools`')
    return { tool_choice: choice.mode, tools }
  }
  const name = table.canonicalName(choice.name, choice.namespace)
  if (!table.origins.has(name)) refuseChoice(`names "${choice.name}", which is not among the function or custom tools in \`tools\``)
  return { tool_choice: { type: 'function', function: { name } }, tools: table.tools }
}

/** Output item id prefix of a call: custom tool calls and function calls are different items. */
export const callPrefix = (tools: ToolTable, canonicalName: string): 'ctc' | 'fc' => (tools.origins.get(canonicalName)?.custom ? 'ctc' : 'fc')

/** A canonical call's arguments as a custom tool's free-form input (the raw arguments when they are not `{input}`). */
export const customInput = (args: string): string => {
  try {
    const value: unknown = JSON.parse(args)
    if (typeof value === 'object' && value !== null && CUSTOM_INPUT in value) {
      const input: unknown = (value as Record<string, unknown>)[CUSTOM_INPUT]
      if (typeof input === 'string') return input
    }
  } catch {
    // Not JSON: the model wrote the input itself.
  }
  return args
}

/** A custom tool call sent back as history → canonical arguments. */
export const customArguments = (input: string): string => JSON.stringify({ [CUSTOM_INPUT]: input })
