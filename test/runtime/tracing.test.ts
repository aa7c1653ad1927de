/**
 * Trace context goes from the watch event, through the job, into the reconcile: with a tracer
 * registered, the reconcile's span is a child of the span of the event that caused it. A small
 * in-memory tracer and propagator stand in for an OpenTelemetry SDK.
 */
import test from 'ava';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  context,
  propagation,
  trace,
  TraceFlags,
  ROOT_CONTEXT,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type SpanOptions,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf, startWidgetDispatcher } from './harness.js';

interface Recorded {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
}

const recorded: Recorded[] = [];

function makeSpan(name: string, parent: SpanContext | undefined): Span {
  const ctx: SpanContext = {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
  };
  recorded.push({ name, traceId: ctx.traceId, spanId: ctx.spanId, parentSpanId: parent?.spanId });
  const span: Span = {
    spanContext: () => ctx,
    setAttribute: () => span,
    setAttributes: () => span,
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => undefined,
    isRecording: () => true,
    recordException: () => undefined,
  };
  return span;
}

class MemoryTracer implements Tracer {
  startSpan(name: string, _options?: SpanOptions, ctx: Context = context.active()): Span {
    return makeSpan(name, trace.getSpanContext(ctx));
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const parent = args.length >= 3 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, undefined, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}

const provider: TracerProvider = { getTracer: () => new MemoryTracer() };

/** Active contexts follow async calls, as an SDK's AsyncLocalStorage context manager does. */
class StorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

const propagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const sc = trace.getSpanContext(ctx);
    if (sc) setter.set(carrier, 'x-test-trace', `${sc.traceId}-${sc.spanId}`);
  },
  extract(ctx, carrier, getter) {
    const raw = getter.get(carrier, 'x-test-trace');
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) return ctx;
    const [traceId = '', spanId = ''] = value.split('-');
    return trace.setSpanContext(ctx, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  },
  fields: () => ['x-test-trace'],
};

test.before(async () => {
  context.setGlobalContextManager(new StorageContextManager());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(propagator);
  await installTestCrds();
});

test("a reconcile's span is a child of the watch event that caused it", async (t) => {
  const iso = isolation('trace');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  startWidgetDispatcher(t, rig, iso.namespace);
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually('the reconcile', async () => (await rig.probe.runs(keyOf(ref))) === 1);
  const reconcile = await eventually('the reconcile span', () =>
    Promise.resolve(recorded.find((s) => s.name === 'reconcile Widget')),
  );
  const event = recorded.find((s) => s.spanId === reconcile.parentSpanId);
  t.truthy(event, 'the reconcile span has a recorded parent');
  t.regex(event?.name ?? '', /^watch (apply|initApply) Widget$/);
  t.is(event?.traceId, reconcile.traceId);
});
