/**
 * A throwaway HTTP server on 127.0.0.1 for one test file: listens before the file's tests, and
 * closes after them, open connections included (a test that leaves a stream hanging must not keep
 * Jest waiting). Call at the top level or inside a describe block.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** http://127.0.0.1:<port>, valid from beforeAll on. */
  readonly baseUrl: string;
  readonly server: Server;
}

export function useLocalHttpServer(handler: RequestListener, configure: (s: Server) => void = () => undefined): LocalServer {
  const server = createServer(handler);
  configure(server);
  let baseUrl: string | undefined;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return {
    server,
    get baseUrl() {
      if (baseUrl === undefined) throw new Error('useLocalHttpServer: baseUrl read before beforeAll ran');
      return baseUrl;
    },
  };
}
