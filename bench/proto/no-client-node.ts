/**
 * @module bench/proto/no-client-node
 * PROTOTYPE (benchmark only): `node --import <this module> dist/cli/main.js dispatcher` runs the
 * production entry point with `@kubernetes/client-node` resolved to `bench/proto/kubeconfig`, to
 * measure what the dispatcher costs without that package (only `shared/kube/connect.ts` loads it
 * at run time; the other imports are type-only).
 */
import { register } from 'node:module';

register('./no-client-node-hooks.js', import.meta.url);
