/**
 * @module runtime/dispatcher/http/auth
 * Who may use the HTTP API and the dashboard: the holder of the static API token (from
 * `SLUICE_API_TOKEN` or a file, re-read when it changes), and optionally any identity the
 * Kubernetes API server vouches for through a TokenReview. Tokens are compared in constant time
 * and never logged; TokenReview answers are cached for a minute.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../errors.js';
import { type KubeClient } from '../../kube/client.js';
import { Builtin } from '../../kube/resources.js';
import { type Logger } from '../../log.js';

export interface AuthOptions {
  /** The static token. */
  readonly token?: string | undefined;
  /** A file holding the static token (a mounted Secret); re-read at most every 10 s. */
  readonly tokenFile?: string | undefined;
  /** Ask the API server (TokenReview) about tokens that are not the static one. */
  readonly tokenReview?: KubeClient | undefined;
  /** Audiences a reviewed token must carry. @defaultValue any */
  readonly audiences?: readonly string[];
}

export interface Principal {
  readonly name: string;
  readonly via: 'static' | 'tokenreview';
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class Authenticator {
  private fileToken: string | undefined;
  private fileReadAt = 0;
  private readonly reviews = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly opts: AuthOptions,
    private readonly log: Logger,
  ) {}

  /** Whether any way of authenticating is configured (without one, every request is refused). */
  get configured(): boolean {
    return Boolean(this.opts.token || this.opts.tokenFile || this.opts.tokenReview);
  }

  private async staticTokens(): Promise<string[]> {
    const tokens: string[] = [];
    if (this.opts.token) tokens.push(this.opts.token);
    if (this.opts.tokenFile) {
      if (Date.now() - this.fileReadAt > 10_000) {
        try {
          this.fileToken = (await readFile(this.opts.tokenFile, 'utf8')).trim() || undefined;
        } catch (err) {
          this.log.warn({ err: messageOf(err) }, 'cannot read the API token file');
        }
        this.fileReadAt = Date.now();
      }
      if (this.fileToken) tokens.push(this.fileToken);
    }
    return tokens;
  }

  /** The principal a bearer token stands for, or `undefined`. */
  async authenticate(token: string | undefined): Promise<Principal | undefined> {
    if (!token || token.length > 8192) return undefined;
    const presented = digest(token);
    for (const t of await this.staticTokens()) {
      if (timingSafeEqual(presented, digest(t))) return { name: 'sluice-api-token', via: 'static' };
    }
    const kube = this.opts.tokenReview;
    if (!kube) return undefined;
    const cacheKey = presented.toString('hex');
    const cached = this.reviews.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    let principal: Principal | undefined;
    try {
      const review = await kube.create<{
        metadata: object;
        status?: { authenticated?: boolean; user?: { username?: string } };
      }>(Builtin.TokenReview, {
        metadata: {},
        spec: { token, ...(this.opts.audiences ? { audiences: [...this.opts.audiences] } : {}) },
      });
      if (review.status?.authenticated)
        principal = { name: review.status.user?.username ?? 'unknown', via: 'tokenreview' };
    } catch (err) {
      this.log.warn({ err: messageOf(err) }, 'TokenReview failed');
      return undefined;
    }
    if (this.reviews.size > 10_000) this.reviews.clear();
    this.reviews.set(cacheKey, { principal, until: Date.now() + 60_000 });
    return principal;
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
