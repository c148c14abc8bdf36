// Bare pass-through Worker: the platform floor ("what any Worker costs"). It
// forwards method, headers and body to env.UPSTREAM and returns the upstream's
// response untouched (streamed), so gateway − bare = our code's cost.
export default {
  fetch(request, env) {
    const url = new URL(request.url)
    return fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body })
  },
}
