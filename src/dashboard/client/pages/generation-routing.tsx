// A generation's cost breakdown (cost_details) and routing explanation (openrouter_metadata:
// the endpoints considered, the ones skipped and why), as GET /generation returns them.
import { Stat, TableWrap } from '../components.tsx'
import { money } from '../format.ts'

export interface CostDetails { prompt: number; cache_read: number; cache_write: number; request: number; completion: number; reasoning: number }
interface Skip { model: string; provider: string; reason: string }
interface Considered { provider: string; tag: string; model: string; regions: string[]; selected: boolean }
export interface RouterMetadata { requested?: string; strategy?: string; summary?: string; endpoints?: { total: number; available: Considered[] }; skipped?: Skip[] }

/** Why an endpoint was not tried, in words (the planner's reasons, src/routing/plan.ts). */
const REASONS: Record<string, string> = {
  no_api_key: 'the gateway has no API key for this provider',
  no_base_url: 'the provider has no base URL configured',
  protocol_not_supported: 'its protocol is not supported here',
  breaker_open: 'circuit breaker open after recent failures',
  ignored: 'excluded by provider.ignore',
  not_in_only: 'not in provider.only',
  not_in_order: 'not in provider.order (allow_fallbacks off)',
  data_policy: 'its data policy does not meet provider.data_collection or zdr',
  quantization: 'not in provider.quantizations',
  max_price: 'above provider.max_price',
  context_length: 'the request does not fit its context',
  require_parameters: 'lacks a requested parameter (require_parameters)',
  capability: 'lacks a capability the request needs (tools, images, …)',
  region: 'outside the requested regions',
}

const PARTS: [keyof CostDetails, string][] = [
  ['prompt', 'Prompt'], ['cache_read', 'Cache reads'], ['cache_write', 'Cache writes'], ['request', 'Per request'], ['completion', 'Completion'], ['reasoning', 'Reasoning'],
]

export const CostBreakdown = ({ details }: { details: CostDetails | null }) => (
  <section class="card" aria-labelledby="cost-heading">
    <h2 id="cost-heading">Cost breakdown</h2>
    {details ? (
      <>
        <dl class="grid" data-testid="cost-breakdown">
          {PARTS.filter(([k]) => details[k] !== 0 || k === 'prompt' || k === 'completion').map(([k, label]) => <Stat label={label} value={money(details[k], true)} />)}
        </dl>
        <p class="muted small">The charged total shared out by the serving endpoint's prices and this generation's tokens; reasoning is billed at the completion price.</p>
      </>
    ) : (
      <p class="muted">No breakdown: the endpoint that served it is no longer priced in the catalog.</p>
    )}
  </section>
)

export const Routing = ({ meta }: { meta: RouterMetadata | null }) => (
  <section class="card" aria-labelledby="routing-heading">
    <h2 id="routing-heading">Routing</h2>
    {!meta ? (
      <p class="muted">No routing explanation was kept for this generation.</p>
    ) : (
      <>
        <p data-testid="routing-summary">{meta.summary}</p>
        <p class="muted small">Requested <code>{meta.requested ?? '–'}</code>{meta.strategy ? `, ordered by ${meta.strategy}` : ''}.</p>
        <TableWrap label="Endpoints considered">
          <table data-testid="routing">
            <caption>Endpoints considered</caption>
            <thead><tr><th scope="col">Provider</th><th scope="col">Model</th><th scope="col">Outcome</th></tr></thead>
            <tbody>
              {(meta.endpoints?.available ?? []).map((e) => (
                <tr><th scope="row">{e.provider} <code class="muted small">{e.tag}</code></th><td><code>{e.model}</code></td><td>{e.selected ? 'served' : 'eligible, not served'}</td></tr>
              ))}
              {(meta.skipped ?? []).map((s) => (
                <tr><th scope="row"><code>{s.provider}</code></th><td><code>{s.model}</code></td><td>skipped: {REASONS[s.reason] ?? s.reason}</td></tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </>
    )}
  </section>
)
