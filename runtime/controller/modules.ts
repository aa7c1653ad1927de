/**
 * @module runtime/controller/modules
 * A function is a module: `sluice worker --functions ./dist/mirror/index.js` (and `dispatcher`,
 * `dev`) load it beside the built-in functions. The module exports
 * - `functions`: its declarations (an array of what `declareFunction` returns), and optionally
 * - `provide(container, env)`: registers the values of the tokens its functions need (typed, with
 *   `provide` / `provideLazily`), given the environment snapshot for its own settings; it may
 *   return a `close()` to call at shutdown.
 *
 * A module that does not export that shape is refused with a message naming the module and what
 * is wrong. Loading the declarations does not load the handlers (only the worker host does).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import type { Environment } from '../config.js';
import { ConfigError, messageOf } from '../errors.js';
import type { FunctionDeclaration } from './declaration.js';

/** What a function module's optional `provide` may hand back. */
export interface ProvidedResources {
  close(): Promise<void>;
}

/** A loaded function module. */
export interface FunctionModule {
  readonly source: string;
  readonly functions: readonly FunctionDeclaration[];
  provide(container: DependencyContainer, env: Environment): ProvidedResources;
}

function isDeclaration(v: unknown): v is FunctionDeclaration {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.kind === 'object' &&
    d.kind !== null &&
    typeof d.controller === 'function' &&
    typeof d.load === 'function' &&
    typeof d.needs === 'object'
  );
}

/**
 * Checks what a module exports.
 * @throws ConfigError naming `source` and the problem.
 */
export function asFunctionModule(source: string, exports: unknown): FunctionModule {
  const m = (typeof exports === 'object' && exports !== null ? exports : {}) as Record<string, unknown>;
  const functions = m.functions;
  if (!Array.isArray(functions) || functions.length === 0)
    throw new ConfigError(`function module ${source} exports no \`functions\` (an array of declarations)`);
  const bad = functions.findIndex((f) => !isDeclaration(f));
  if (bad >= 0)
    throw new ConfigError(
      `function module ${source}: functions[${bad}] is not a declaration (see declareFunction)`,
    );
  const provide = m.provide;
  if (provide !== undefined && typeof provide !== 'function')
    throw new ConfigError(`function module ${source}: \`provide\` must be a function`);
  return {
    source,
    functions: functions as FunctionDeclaration[],
    provide: (container, env) => {
      const made: unknown =
        typeof provide === 'function'
          ? (provide as (c: DependencyContainer, e: Environment) => unknown)(container, env)
          : undefined;
      const closer = made as { close?: unknown } | undefined;
      if (typeof closer?.close !== 'function') return { close: () => Promise.resolve() };
      const close = closer.close as () => unknown;
      return { close: () => Promise.resolve(close.call(closer)).then(() => undefined) };
    },
  };
}

/**
 * Imports the module at `file` (relative to the working directory) and checks it.
 * @throws ConfigError when it cannot be imported or exports the wrong shape.
 */
export async function loadFunctionModule(file: string): Promise<FunctionModule> {
  const url = pathToFileURL(path.resolve(file)).href;
  let exports: unknown;
  try {
    exports = await import(url);
  } catch (err) {
    throw new ConfigError(`function module ${file} cannot be loaded: ${messageOf(err)}`, { cause: err });
  }
  return asFunctionModule(file, exports);
}
