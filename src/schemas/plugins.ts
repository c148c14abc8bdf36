// The chat request's `plugins` (OpenRouter's per-request plugins). A plugin with a
// known id must have that plugin's shape: a wrong type is a 400 naming the field.
// Unknown ids are tolerated and ignored: OpenRouter keeps adding plugins, and a
// client built for a newer one should still be served. Switchboard acts on
// `auto-router` only; the other known plugins are checked, so a malformed one is a
// clear 400 rather than silently dropped, and never reach an upstream (ROUTING_FIELDS).
import { z } from 'zod'

const enabled = z.boolean().nullish()

/** Model ids or `*` globs. Bounded: each pattern is matched against the whole catalog. */
const ModelPatterns = z.array(z.string().min(1).max(200)).max(100)

export const AutoRouterPlugin = z.looseObject({
  id: z.literal('auto-router'),
  enabled,
  allowed_models: ModelPatterns.nullish(),
  excluded_models: ModelPatterns.nullish(),
  cost_quality_tradeoff: z.number().nullish(),
  cost_tier: z.string().nullish(),
  pin_model: z.boolean().nullish(),
})
export type AutoRouterPlugin = z.infer<typeof AutoRouterPlugin>

const Domains = z.array(z.string()).max(100).nullish()

const KNOWN_PLUGINS = {
  'auto-router': AutoRouterPlugin,
  web: z.looseObject({
    id: z.literal('web'),
    enabled,
    engine: z.string().nullish(),
    max_results: z.number().int().min(1).max(100).nullish(),
    max_uses: z.number().int().min(1).max(100).nullish(),
    search_prompt: z.string().nullish(),
    include_domains: Domains,
    exclude_domains: Domains,
  }),
  'file-parser': z.looseObject({
    id: z.literal('file-parser'),
    enabled,
    pdf: z.looseObject({ engine: z.string().nullish() }).nullish(),
  }),
  'response-healing': z.looseObject({ id: z.literal('response-healing'), enabled }),
  'context-compression': z.looseObject({ id: z.literal('context-compression'), enabled, engine: z.string().nullish() }),
  moderation: z.looseObject({ id: z.literal('moderation') }),
} as const satisfies Record<string, z.ZodType<{ id: string }>>

const isKnown = (id: string): id is keyof typeof KNOWN_PLUGINS => Object.hasOwn(KNOWN_PLUGINS, id)

/** One plugin: any object with a string id; a known id's fields are checked against its shape. */
export const Plugin = z.looseObject({ id: z.string().min(1).max(100) }).superRefine((plugin, ctx) => {
  if (!isKnown(plugin.id)) return
  const result = KNOWN_PLUGINS[plugin.id].safeParse(plugin)
  for (const issue of result.error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path })
})

export const Plugins = z.array(Plugin).max(20)

/** The request's auto-router plugin, typed (validated already by `Plugins`), unless absent or disabled. */
export const autoRouterPlugin = (plugins: z.infer<typeof Plugins> | null | undefined): AutoRouterPlugin | undefined => {
  const found = plugins?.find((p) => p.id === 'auto-router')
  const plugin = found && AutoRouterPlugin.parse(found)
  return plugin?.enabled === false ? undefined : plugin
}
