/**
 * @module runtime/worker/probe-server
 * The worker process's small HTTP server: `/healthz` (the process answers), `/readyz` (its workers
 * run and Redis answers) and `/metrics` (Prometheus). It serves nothing else and needs no token.
 */
import http from 'node:http';
import type { SluiceMetrics } from '../../runtime/index.js';

export interface ProbeServerDeps {
  readonly metrics: SluiceMetrics;
  /** Resolves whether the process can do its work. */
  readonly ready: () => Promise<{ ready: boolean; [detail: string]: unknown }>;
}

/** Starts the server; resolves once it listens, with its port and a `close()`. */
export async function startProbeServer(
  deps: ProbeServerDeps,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'application/json', '{"error":"MethodNotAllowed"}');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void deps.ready().then(
        (r) => send(r.ready ? 200 : 503, 'application/json', JSON.stringify(r)),
        () => send(503, 'application/json', '{"ready":false}'),
      );
      return undefined;
    }
    if (path === '/metrics') {
      void deps.metrics.registry.metrics().then(
        (text) => send(200, deps.metrics.registry.contentType, text),
        () => send(500, 'text/plain', 'metrics failed\n'),
      );
      return undefined;
    }
    return send(404, 'application/json', '{"error":"NotFound"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
