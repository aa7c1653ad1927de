/**
 * @module runtime/kube/rest
 * A small REST client for the Kubernetes API: one keep-alive HTTPS agent, credentials from a
 * kubeconfig ({@link KubeCredentialSource}), JSON in and out, and errors as {@link KubeApiError} carrying the HTTP status and
 * the API's `reason`. Watches are exposed as async iterables of parsed JSON lines.
 *
 * Costs: credentials are resolved at most once a minute (tokens from files are re-read then);
 * every call is one HTTP request on a pooled connection.
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { KubeApiError } from '../errors.js';
import { H2Transport } from './h2.js';
import type { KubeCredentialSource } from './kubeconfig.js';

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Milliseconds before the request is abandoned. @defaultValue 30000 */
  readonly timeoutMs?: number;
}

interface Credentials {
  readonly server: URL;
  readonly agentOptions: https.AgentOptions;
  readonly headers: Readonly<Record<string, string>>;
  readonly expires: number;
}

/** Builds the query string, leaving out undefined values. */
export function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Turns an error response into a {@link KubeApiError}, using the Status object when there is one. */
export function apiError(status: number, body: string, what: string): KubeApiError {
  let reason = http.STATUS_CODES[status] ?? 'Unknown';
  let message = body.slice(0, 500);
  const details: { kind?: string; name?: string } = {};
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; message?: unknown; details?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
    if (typeof parsed.message === 'string') message = parsed.message;
    const d = parsed.details as { kind?: unknown; name?: unknown } | undefined;
    if (typeof d?.kind === 'string') details.kind = d.kind;
    if (typeof d?.name === 'string') details.name = d.name;
  } catch {
    /* not JSON */
  }
  return new KubeApiError(status, reason, `${what}: ${status} ${reason}: ${message}`, { details });
}

export class KubeRest {
  private creds: Credentials | undefined;
  private agent: https.Agent | http.Agent | undefined;
  /** Request/response calls over HTTP/2 where the server offers it (https only); watches use the agent. */
  private h2: H2Transport | undefined;

  constructor(private readonly kc: KubeCredentialSource) {}

  private async credentials(): Promise<Credentials> {
    if (this.creds && this.creds.expires > Date.now()) return this.creds;
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError(0, 'NoCluster', 'the kubeconfig has no current cluster');
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    const agentOptions: https.AgentOptions = {
      keepAlive: true,
      maxSockets: 64,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
      // The kubeconfig's tls-server-name: the name the server's certificate is verified against
      // (and sent as SNI) when it differs from the host dialed.
      ...(opts.servername === undefined ? {} : { servername: opts.servername }),
    };
    const sameTls =
      this.creds &&
      JSON.stringify([agentOptions.ca, agentOptions.cert, agentOptions.servername]) ===
        JSON.stringify([
          this.creds.agentOptions.ca,
          this.creds.agentOptions.cert,
          this.creds.agentOptions.servername,
        ]);
    if (!sameTls) {
      this.agent?.destroy();
      this.h2?.close();
      const server = new URL(cluster.server);
      this.agent =
        server.protocol === 'https:'
          ? new https.Agent(agentOptions)
          : new http.Agent({ keepAlive: true, maxSockets: 64 });
      this.h2 =
        server.protocol === 'https:'
          ? new H2Transport(server, {
              ca: agentOptions.ca,
              cert: agentOptions.cert,
              key: agentOptions.key,
              rejectUnauthorized: agentOptions.rejectUnauthorized ?? true,
              ...(agentOptions.servername === undefined ? {} : { servername: agentOptions.servername }),
            })
          : undefined;
    }
    this.creds = { server: new URL(cluster.server), agentOptions, headers, expires: Date.now() + 60_000 };
    return this.creds;
  }

  /** How calls reach the server: `h2`, `http/1.1`, or `undefined` before the first call has negotiated. */
  get protocol(): 'h2' | 'http/1.1' | undefined {
    if (!this.creds) return undefined;
    if (!this.h2) return 'http/1.1';
    const negotiated = this.h2.negotiated;
    return negotiated === undefined ? undefined : negotiated ? 'h2' : 'http/1.1';
  }

  private prepare(
    creds: Credentials,
    opts: RequestOptions,
  ): { method: string; what: string; payload: string | undefined; headers: Record<string, string> } {
    const method = opts.method ?? 'GET';
    const what = `${method} ${opts.path}`;
    const payload =
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...creds.headers, Accept: opts.accept ?? 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return { method, what, payload, headers };
  }

  private async open(opts: RequestOptions): Promise<{ res: http.IncomingMessage; what: string }> {
    const creds = await this.credentials();
    const url = new URL(creds.server.href.replace(/\/$/, '') + opts.path + queryString(opts.query));
    const { method, what, payload, headers } = this.prepare(creds, opts);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, signal: opts.signal }, (res) =>
        resolve({ res, what }),
      );
      if (opts.timeoutMs !== 0) {
        req.setTimeout(opts.timeoutMs ?? 30_000, () =>
          req.destroy(new KubeApiError(0, 'Timeout', `${what}: timed out`)),
        );
      }
      req.on('error', (err) =>
        reject(
          err instanceof KubeApiError
            ? err
            : new KubeApiError(0, 'ConnectionFailed', `${what}: ${err.message}`, { cause: err }),
        ),
      );
      req.end(payload);
    });
  }

  /** Sends a request and returns the parsed JSON body (over HTTP/2 where the server offers it). */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const creds = await this.credentials();
    const h2 = this.h2;
    if (h2) {
      const { method, what, payload, headers } = this.prepare(creds, opts);
      const answer = await h2.call({
        method,
        path: creds.server.pathname.replace(/\/$/, '') + opts.path + queryString(opts.query),
        headers,
        payload,
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 30_000,
        what,
      });
      if (answer) {
        if (answer.status < 200 || answer.status >= 300) throw apiError(answer.status, answer.body, what);
        return (answer.body ? JSON.parse(answer.body) : {}) as T;
      }
    }
    const { res, what } = await this.open(opts);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(status, body, what);
    return (body ? JSON.parse(body) : {}) as T;
  }

  /**
   * Opens a streaming request (a watch) and yields each JSON line. The iterable ends when the
   * server closes the stream; it throws {@link KubeApiError} for an error status. `onOpen` is
   * called when the server has accepted the request (a 2xx status), before its first line.
   */
  async *stream(opts: RequestOptions & { readonly onOpen?: () => void }): AsyncGenerator<unknown> {
    const { onOpen, ...request } = opts;
    const { res, what } = await this.open({ ...request, timeoutMs: request.timeoutMs ?? 0 });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw apiError(status, Buffer.concat(chunks).toString('utf8'), what);
    }
    onOpen?.();
    // One decoder for the whole body: a multi-byte character split across two chunks is kept
    // whole instead of becoming U+FFFD on each side.
    const decoder = new StringDecoder('utf8');
    let buffered = '';
    try {
      for await (const chunk of res) {
        buffered += decoder.write(chunk as Buffer);
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) yield JSON.parse(line) as unknown;
        }
      }
    } finally {
      res.destroy();
    }
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.h2?.close();
    this.h2 = undefined;
    this.creds = undefined;
  }
}
