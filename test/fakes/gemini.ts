// Placeholder until the gemini fake upstream is written: answers 501 so tests fail loudly.
export const geminiUpstream = async (_request: Request): Promise<Response> =>
  new Response(JSON.stringify({ error: { message: 'the gemini fake upstream is not written yet' } }), { status: 501 })
