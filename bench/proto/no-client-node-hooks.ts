/**
 * @module bench/proto/no-client-node-hooks
 * The module resolution hook of `bench/proto/no-client-node`.
 */
interface ResolveContext {
  readonly parentURL?: string;
}

interface Resolved {
  readonly url: string;
  readonly shortCircuit?: boolean;
}

export function resolve(
  specifier: string,
  context: ResolveContext,
  next: (specifier: string, context: ResolveContext) => Promise<Resolved>,
): Promise<Resolved> {
  if (specifier === '@kubernetes/client-node')
    return Promise.resolve({ url: new URL('./kubeconfig.js', import.meta.url).href, shortCircuit: true });
  return next(specifier, context);
}
