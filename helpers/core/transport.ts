/**
 * The one connection policy for the suite's HTTP clients: no keep-alive.
 *
 * uvicorn closes an idle connection after 5 s (`timeout_keep_alive`, uvicorn/config.py:234), and
 * Node 20's default agent keeps an idle socket for 5 s as well. A request sent after a ~5 s pause can
 * therefore go out on a socket the server is closing at that very moment and fail with ECONNRESET /
 * "socket hang up" (seen once in request-load, and 1 run in 3 in the API tests). A keep-alive
 * shorter than the server's would also work, but it silently breaks again if either side changes its
 * default; a fresh connection on 127.0.0.1 costs well under a millisecond, so the suite opens one per
 * request.
 */
import http from 'node:http';

/** For node:http (core/http.ts `sendRaw`): every request on a new connection, closed after the response. */
export const httpAgent = new http.Agent({ keepAlive: false });

/**
 * For fetch (undici), which takes no node:http agent: this header makes undici close the connection
 * once the response has ended instead of pooling it.
 */
export const NO_KEEP_ALIVE_HEADERS: Readonly<Record<string, string>> = Object.freeze({ connection: 'close' });
