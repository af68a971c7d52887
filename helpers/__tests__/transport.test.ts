import { createHttp } from '../core/http';
import { collectStream } from '../core/sse';
import { useLocalHttpServer } from '../__fixtures__/local-http-server';

/**
 * A server that keeps connections open far longer than uvicorn would, and remembers on which
 * socket each request arrived: a client that pools connections shows up as a reused socket.
 */
interface Seen {
  socket: number;
  connection: string | undefined;
}
let seen: Seen[] = [];
const sockets = new WeakMap<object, number>();
let nextSocket = 0;

const local = useLocalHttpServer(
  (req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, nextSocket++);
    seen.push({ socket: sockets.get(req.socket)!, connection: req.headers.connection });
    req.resume();
    req.on('end', () => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: [DONE]\n\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
  },
  (s) => {
    s.keepAliveTimeout = 60_000;
  },
);
beforeEach(() => {
  seen = [];
});

describe('no keep-alive (a pooled socket can meet uvicorn closing it at 5 s idle)', () => {
  test('createHttp sends every request on a new connection, announcing Connection: close', async () => {
    const http = createHttp(local.baseUrl, { timeoutMs: 5000 });
    for (let i = 0; i < 3; i++) expect((await http.get('/json')).status).toBe(200);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(3);
    expect(seen.map((s) => s.connection)).toEqual(['close', 'close', 'close']);
  });

  test('collectStream sends every stream on a new connection, announcing Connection: close', async () => {
    for (let i = 0; i < 3; i++) expect((await collectStream(local.baseUrl, {}, { path: '/stream', timeoutMs: 5000 })).doneIndex).toBe(0);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(3);
    expect(seen.map((s) => s.connection)).toEqual(['close', 'close', 'close']);
  });

  test('the check above can fail: a keep-alive client is seen reusing its socket', async () => {
    const { Agent, get } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => get(`${local.baseUrl}/json`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
    }
    agent.destroy();
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    expect(seen[0].connection).toBe('keep-alive');
  });
});
