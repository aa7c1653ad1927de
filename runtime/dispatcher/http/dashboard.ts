/**
 * @module runtime/dispatcher/http/dashboard
 * The job dashboard (Bull Board) at `/dashboard`, one queue per kind, behind the API's auth (a
 * bearer header, or the cookie a login form sets). Read-only unless configured otherwise: a
 * manual retry runs a job beside the live one for the same object and breaks "one reconcile per
 * object at a time".
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_PATH = '/dashboard';
export const TOKEN_COOKIE = 'sluice_token';

export interface DashboardOptions {
  readonly queues: readonly Queue[];
  /** Allow retry, promote, clean and the other write actions. @defaultValue false */
  readonly writable: boolean;
}

function loginPage(error?: string): string {
  const message = error ? `<p class="error">${error}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice — sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:12vh auto;padding:0 1rem}
input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}button{padding:.5rem 1rem}.error{color:#b00020}</style>
</head><body><h1>Sluice jobs</h1><p>Sign in with the Sluice API token.</p>${message}
<form method="post" action="${DASHBOARD_PATH}/login"><label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}

/** Registers the login and logout pages and the board itself. */
export async function registerDashboard(
  app: FastifyInstance,
  opts: DashboardOptions,
  validate: (token: string | undefined) => Promise<boolean>,
): Promise<void> {
  app.get(`${DASHBOARD_PATH}/login`, (_req, reply) => reply.type('text/html').send(loginPage()));
  app.post<{ Body: { token?: unknown } }>(`${DASHBOARD_PATH}/login`, async (req, reply) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : undefined;
    if (!(await validate(token)))
      return reply.status(401).type('text/html').send(loginPage('That token is not valid.'));
    return reply
      .setCookie(TOKEN_COOKIE, token ?? '', {
        path: DASHBOARD_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
      })
      .redirect(`${DASHBOARD_PATH}/`, 303);
  });
  app.get(`${DASHBOARD_PATH}/logout`, (_req, reply) =>
    reply.clearCookie(TOKEN_COOKIE, { path: DASHBOARD_PATH }).redirect(`${DASHBOARD_PATH}/login`, 303),
  );

  const adapter = new FastifyAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: opts.queues.map(
      (q) =>
        new BullMQAdapter(q, {
          readOnlyMode: !opts.writable,
          allowRetries: opts.writable,
          description: 'reconcile jobs',
        }),
    ),
    serverAdapter: adapter,
    // The Sluice page (object history, queue state, dead letters) sits beside the board.
    options: {
      uiConfig: {
        boardTitle: 'Sluice',
        miscLinks: [{ text: 'Objects', url: `${DASHBOARD_PATH}/sluice` }],
      },
    },
  });
  await app.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
}
