/**
 * @module runtime/controller/tokens
 * Typed dependency tokens. A function declares what it needs beyond the core context as a record
 * of tokens (`{ brokers: BROKER_CLIENTS }`), and its handlers receive the values, typed, on their
 * context (`ctx.brokers`). The composition root provides a value for each token it knows (a
 * tsyringe container keyed by the token's symbol); the worker host refuses to start a function
 * whose needs it cannot meet, naming the token.
 */
import type { DependencyContainer } from 'tsyringe';
import { ConfigError } from '../errors.js';

/** A key for a value of type `T`. `T` is carried by the type only. */
export interface Token<T> {
  /** The tsyringe injection token. */
  readonly id: symbol;
  /** For messages: what the value is (`broker clients`). */
  readonly description: string;
  /** Never set: makes `Token<A>` and `Token<B>` distinct types. */
  readonly _type?: T;
}

/** Makes a token; each call makes a distinct one. */
export function token<T>(description: string): Token<T> {
  return { id: Symbol(description), description };
}

/** A function's needs: one token per context property. */
export type Needs<D> = { readonly [P in keyof D]: Token<D[P]> };

/** Registers `value` for `t` in `container`. */
export function provide<T>(container: DependencyContainer, t: Token<T>, value: T): void {
  container.register(t.id, { useValue: value });
}

/** Registers a factory for `t`, called once on first use. */
export function provideLazily<T>(
  container: DependencyContainer,
  t: Token<T>,
  factory: (c: DependencyContainer) => T,
): void {
  let made: { value: T } | undefined;
  container.register(t.id, { useFactory: (c) => (made ??= { value: factory(c) }).value });
}

/** The value registered for `t`. @throws ConfigError naming the token when none is. */
export function resolveToken<T>(container: DependencyContainer, t: Token<T>, forWhat?: string): T {
  if (!container.isRegistered(t.id, true)) {
    throw new ConfigError(
      `${forWhat ?? 'a component'} needs ${t.description}, which this process does not provide`,
    );
  }
  // The one unchecked step: tsyringe stores untyped values; `provide` only ever stores a T under t.id.
  return container.resolve<T>(t.id);
}

/** Resolves every token of `needs`. @throws ConfigError for the first one not provided. */
export function resolveNeeds<D>(container: DependencyContainer, needs: Needs<D>, forWhat: string): D {
  const out: Partial<D> = {};
  for (const key of Object.keys(needs) as (keyof D)[]) {
    out[key] = resolveToken(container, needs[key], forWhat);
  }
  return out as D;
}
