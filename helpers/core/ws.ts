/**
 * A WebSocket session for tests: messages are buffered from the moment the socket opens, and
 * `next(predicate)` walks them with a cursor, waiting (bounded) for the next one that matches —
 * so a test awaits a condition, never a fixed sleep. Each connection is recorded for coverage.
 */
import WebSocket from 'ws';
import { appendRecord } from './run-records';

export interface WsSession {
  /** Every message so far, parsed as JSON (a non-JSON text frame is kept as {unparsed: text}). */
  readonly messages: any[];
  next(predicate: (m: any) => boolean, timeoutMs: number, what: string): Promise<any>;
  send(message: unknown): void;
  close(): Promise<void>;
}

export function openWs(url: string, opts: { timeoutMs: number; runDir: string; route: string; test: string | null }): Promise<WsSession> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: opts.timeoutMs });
    const messages: any[] = [];
    let cursor = 0;
    let wake: (() => void) | undefined;
    let closed: string | undefined;
    const record = (status: number | null) =>
      appendRecord(opts.runDir, { kind: 'route', method: 'WS', route: opts.route, path: new URL(url).pathname, status, driver: 'ws', violations: 0, test: opts.test });

    socket.on('message', (data) => {
      const text = data.toString();
      try {
        messages.push(JSON.parse(text));
      } catch {
        messages.push({ unparsed: text });
      }
      wake?.();
    });
    socket.on('close', (code, reason) => {
      closed = `closed with code ${code}${reason.length ? ` (${reason.toString()})` : ''}`;
      wake?.();
    });
    socket.on('unexpected-response', (_req, res) => {
      record(res.statusCode ?? null);
      reject(new Error(`${url}: the server refused the WebSocket upgrade with HTTP ${res.statusCode}`));
    });
    socket.on('error', (err) => reject(new Error(`${url}: ${err.message}`)));
    socket.on('open', () => {
      record(101);
      resolve({
        messages,
        send: (m) => socket.send(JSON.stringify(m)),
        async next(predicate, timeoutMs, what) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            while (cursor < messages.length) {
              const m = messages[cursor++];
              if (predicate(m)) return m;
            }
            if (closed) throw new Error(`${url}: waiting for ${what}, but the socket ${closed}; got ${messages.length} messages: ${JSON.stringify(messages.map((m) => m.type))}`);
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`${url}: no ${what} within ${timeoutMs} ms; got ${messages.length} messages: ${JSON.stringify(messages.map((m) => m.type).slice(-20))}`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
            wake = undefined;
          }
        },
        close: () =>
          new Promise<void>((r) => {
            if (socket.readyState === WebSocket.CLOSED) return r();
            socket.once('close', () => r());
            socket.close();
          }),
      });
    });
  });
}
