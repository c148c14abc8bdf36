// Placeholder until the anthropic fake upstream is written: answers 501 so tests fail loudly.
export const anthropicUpstream = async (_request: Request): Promise<Response> =>
  new Response(JSON.stringify({ error: { message: 'the anthropic fake upstream is not written yet' } }), { status: 501 })
