/**
 * A real HTTP server on the loopback interface for tests: a route table keyed
 * by path, per-path hit counters and a log of every request.
 *
 * ```ts
 * const server = startHttpServer({
 *   "/flaky": (_req, { hit }) => hit < 3 ? new Response("no", { status: 500 }) : new Response("ok"),
 * });
 * try {
 *   await fetch(`${server.url}/flaky`);
 * } finally {
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

/** Context passed to a route handler. */
export interface RouteContext {
  /** 1-based count of requests to this path so far, this one included. */
  hit: number;
}

/** Answers one request. Throwing produces a 500. */
export type RouteHandler = (request: Request, context: RouteContext) => Response | Promise<Response>;

/** One request as the server saw it. */
export interface LoggedRequest {
  method: string;
  /** Path name, without the query. */
  path: string;
  headers: Headers;
}

/** A running test server. */
export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Requests received per path (routed or not), any method. Missing key = no request. */
  hits: Record<string, number>;
  /** Every request, in arrival order. */
  requests: LoggedRequest[];
  /** Stops the server (waits for responses in flight). */
  close(): Promise<void>;
}

/**
 * Starts `Deno.serve` on 127.0.0.1 with an ephemeral port. Paths not in
 * `routes` get 404. Each request's handler gets how many times its path was hit.
 */
export function startHttpServer(routes: Record<string, RouteHandler>): TestServer {
  const hits: Record<string, number> = {};
  const requests: LoggedRequest[] = [];
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: (e) => new Response(String(e), { status: 500 }),
    },
    (request) => {
      const path = new URL(request.url).pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      requests.push({ method: request.method, path, headers: request.headers });
      const handler = routes[path];
      if (!handler) return new Response("not found", { status: 404, statusText: "Not Found" });
      return handler(request, { hit: hits[path] });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    requests,
    close: () => server.shutdown(),
  };
}

/** A loopback server that accepts connections and never answers: a remote that stalls. */
export interface SilentServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops listening and closes the connections it holds. */
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on 127.0.0.1 with an ephemeral port. */
export function startSilentServer(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) held.push(c);
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    get accepted() {
      return held.length;
    },
    async close() {
      listener.close();
      await accepting;
      for (const c of held) c.close();
    },
  };
}
