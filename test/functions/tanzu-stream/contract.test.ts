/**
 * The reconciler contract for Stream: a missing object is done, a Stream bound to a ready
 * ClusterStream is reconciled three more times without any write (its own resourceVersion and its
 * binding Secret's stay), and keys with a keyExpression is a terminal InvalidSpec.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { Builtin, isConditionTrue } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { installCrds } from '../../helpers/crds.js';
import { suffix, testEnv } from '../../helpers/env.js';
import {
  TEST_RUN_LABEL,
  attempt,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csRef,
  getCs,
  stream,
  streamContext,
  sweepClusterStreams,
} from '../../fixtures/tanzu/fixtures.js';
import { connect } from 'nats';

const run = suffix();
const subjects: string[] = [];

test.before(installCrds);

test.after.always(async () => {
  await sweepClusterStreams(run);
  const nc = await connect({ servers: testEnv().natsUrl });
  const jsm = await nc.jetstreamManager();
  for (const s of subjects) await jsm.streams.delete(s.replace(/\./g, '_')).catch(() => undefined);
  await nc.close();
  await closeBrokers();
});

runReconcilerContract('Stream (streaming.tanzu.vmware.com)', {
  fn: tanzuStreamFunction,
  setup: async (ns) => {
    const subject = `contract.${ns}`;
    subjects.push(subject);
    const name = `${ns}-cs`;
    await create(
      ClusterStreamKind,
      clusterStream({ name, topic: subject, protocol: 'nats', labels: { [TEST_RUN_LABEL]: run } }),
    );
    await attempt(clusterStreamFunction, csRef(name), csContext(ns, name));
    if (!isConditionTrue((await getCs(name))?.status, 'Ready'))
      throw new Error(`ClusterStream ${name} is not ready`);
  },
  valid: (ns) =>
    stream(ns, 'contract', {
      name: `contract.${ns}`,
      protocol: 'nats',
      streamMode: ['read'],
      storage: { clusterStream: `${ns}-cs` },
      dataSchemaContext: { schemaless: 'application/json' },
    }),
  invalid: (ns) =>
    stream(ns, 'contract', { name: 'x', protocol: 'kafka', keys: ['a'], keyExpression: 'payload.a' }),
  invalidReason: 'InvalidSpec',
  context: (ns, ref) => streamContext(ns, ns, ref.name),
  children: [Builtin.Secret],
});
