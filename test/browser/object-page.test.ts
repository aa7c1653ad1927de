/**
 * The dashboard's Sluice page (issue 17) in a real browser (headless Chromium): from Bull Board's
 * "Objects" link, find a Widget by kind, namespace and name; read its conditions, queue state and
 * history; see it among the dead letters; and, with a writable dashboard, reconcile it now and see
 * the new record. A read-only dashboard shows no such button. The HTTP app runs in this process
 * over the real Redis and API server, and a real worker reconciles.
 */
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { Authenticator } from '../../runtime/dispatcher/http/auth.js';
import { buildHttpApp } from '../../runtime/dispatcher/http/app.js';
import {
  Enqueuer,
  KindRegistry,
  createLogger,
  jobKey,
  readHistory,
  type ObjectRef,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds } from '../runtime/harness.js';
import { WidgetKind } from '../runtime/widget-function.js';
import { PNG_SIGNATURE, chromiumMissing, launchChromium, saveArtifact, type Browser } from './chromium.js';

const TOKEN = 'object-page-token-0123456789';
const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);
const browserTest = missing ? test.skip : test.serial;
const title = (s: string): string => (missing ? `${s} [skipped: ${missing}]` : s);

let browser: Browser | undefined;

test.before(async () => {
  if (missing) return;
  await installTestCrds();
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
});

interface Setup {
  readonly base: string;
  readonly rig: RuntimeRig;
  readonly page: Page;
  readonly namespace: string;
  /** A Widget whose reconciles fail terminally after one success. */
  readonly widget: ObjectRef;
}

async function setup(t: ExecutionContext, writable: boolean): Promise<Setup> {
  const iso = isolation('object-page');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const [widget] = await createWidgets(iso.namespace, 1);
  if (!widget) throw new Error('no Widget was created');
  rig.worker({ identity: 'browser-worker' });
  await rig.enqueue([widget]);
  await eventually('a first success', async () => (await rig.probe.runs(jobKey(widget))) === 1);
  await rig.drained();
  await rig.probe.setBehavior(jobKey(widget), { terminal: 1 });
  await rig.enqueue([widget]);
  await eventually('the refusal in the history', async () => {
    const h = await readHistory(rig.queues.connection, rig.prefix, WidgetKind, widget);
    return h[0]?.outcome === 'terminal';
  });

  const registry = new KindRegistry([WidgetKind]);
  const log = createLogger({ level: 'silent' });
  const app = await buildHttpApp({
    registry,
    enqueuer: new Enqueuer(rig.queues, registry, rig.metrics),
    kube: adminClient(),
    auth: new Authenticator({ token: TOKEN }, log),
    metrics: rig.metrics,
    queues: [rig.queue],
    redis: rig.queues.connection,
    prefix: iso.queuePrefix,
    log,
    dashboardWritable: writable,
    readiness: () => Promise.resolve({ ready: true }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const context = browser?.context;
  if (!context) throw new Error('the browser did not start');
  await context.clearCookies();
  const page = await context.newPage();
  t.teardown(() => page.close());
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/dashboard/`, { waitUntil: 'domcontentloaded' });
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard\/$/);
  return { base, rig, page, namespace: iso.namespace, widget };
}

/** Fills the search form and shows the Widget. */
async function find(s: Setup): Promise<void> {
  await s.page.getByLabel('Kind', { exact: true }).selectOption('widgets.test.sluice.io');
  await s.page.getByLabel('Namespace', { exact: true }).fill(s.namespace);
  await s.page.getByLabel('Name', { exact: true }).fill(s.widget.name);
  await s.page.getByRole('button', { name: 'Show' }).click();
  await s.page.locator('#history').waitFor();
}

browserTest(
  title(
    'the Sluice page finds an object and shows its conditions, queue state, history and dead letters, and Reconcile now adds a record',
  ),
  async (t) => {
    const s = await setup(t, true);
    const board = await s.page.request.get(`${s.base}/dashboard/`);
    t.true((await board.text()).includes('/dashboard/sluice'), "the board links the Sluice page ('Objects')");
    await s.page.goto(`${s.base}/dashboard/sluice`, { waitUntil: 'domcontentloaded' });
    await find(s);

    const history = s.page.locator('#history tbody tr');
    t.is(await history.count(), 2, 'two reconciles');
    t.regex(
      await history.nth(0).innerText(),
      /terminal[\s\S]*WidgetRefused: this widget cannot be reconciled/,
    );
    t.regex(await history.nth(1).innerText(), /success/);
    t.regex(await history.nth(0).innerText(), /browser-worker/);
    const conditions = await s.page.locator('#conditions').innerText();
    t.regex(conditions, /Ready\s+False\s+WidgetRefused/);
    t.regex(await s.page.locator('#queue-state').innerText(), /^none/);
    const dead = s.page.locator('table.dead[data-kind="Widget"]');
    t.regex(await dead.innerText(), new RegExp(`${s.namespace}/${s.widget.name}[\\s\\S]*terminal`));

    const png = await s.page.screenshot({ fullPage: true });
    t.deepEqual(png.subarray(0, PNG_SIGNATURE.length), PNG_SIGNATURE);
    const file = saveArtifact('dashboard-object-history.png', png);
    t.true(readFileSync(file).equals(png));
    t.log(`screenshot: ${file}`);

    await s.rig.probe.setBehavior(jobKey(s.widget), {});
    await s.page.getByRole('button', { name: 'Reconcile now' }).click();
    await s.page.locator('#queued').waitFor();
    await eventually('the new record', async () => {
      const h = await readHistory(s.rig.queues.connection, s.rig.prefix, WidgetKind, s.widget);
      return h.length === 3;
    });
    await s.page.reload();
    t.is(await history.count(), 3);
    t.regex(await history.nth(0).innerText(), /http by sluice-api-token[\s\S]*success/);
    t.is(await s.page.locator('table.dead[data-kind="Widget"]').count(), 0, 'no longer a dead letter');
  },
);

browserTest(title('a read-only dashboard shows the same page without Reconcile now'), async (t) => {
  const s = await setup(t, false);
  await s.page.goto(`${s.base}/dashboard/sluice`, { waitUntil: 'domcontentloaded' });
  await find(s);
  t.is(await s.page.locator('#history tbody tr').count(), 2);
  t.is(await s.page.getByRole('button', { name: 'Reconcile now' }).count(), 0);
});
