/**
 * The dispatcher's own keys on a real Redis: checkpoints written together under the
 * `{dispatcher}` hash tag, and an upgrade from the keys without it resumes instead of treating
 * Redis as emptied.
 */
import test from 'ava';
import { Redis } from 'ioredis';
import { DispatcherState } from '../../runtime/dispatcher/state.js';
import { checkpointKey, epochKey, legacyCheckpointKey, legacyEpochKey } from '../../runtime/kube/keys.js';
import { suffix, testEnv } from '../helpers/env.js';

const redis = new Redis(testEnv().redisUrl);
test.after.always(() => redis.disconnect());

test('a new Redis gets a fresh epoch, and the checkpoints land under the {dispatcher} tag', async (t) => {
  const prefix = `test-state-${suffix()}`;
  const state = new DispatcherState(redis, prefix);
  t.deepEqual(await state.ensureEpoch(), { fresh: true });
  await state.saveResourceVersions(
    new Map([
      ['core/ConfigMap', '41'],
      ['core/Secret#metadata', '42'],
    ]),
  );
  t.deepEqual(
    await redis.mget(checkpointKey(prefix, 'core/ConfigMap'), checkpointKey(prefix, 'core/Secret#metadata')),
    ['41', '42'],
  );
  t.not(await redis.get(epochKey(prefix)), null);
  t.deepEqual(
    await state.loadResourceVersions(['core/ConfigMap', 'core/Secret#metadata', 'core/Service#metadata']),
    new Map([
      ['core/ConfigMap', '41'],
      ['core/Secret#metadata', '42'],
    ]),
    'one read gives every saved checkpoint; a source never saved has none',
  );
});

test('after an upgrade, the old release’s epoch and checkpoints are honoured, and new saves win', async (t) => {
  const prefix = `test-state-${suffix()}`;
  await redis.set(legacyEpochKey(prefix), 'old-epoch');
  await redis.set(legacyCheckpointKey(prefix, 'core/ConfigMap'), '7');
  await redis.set(legacyCheckpointKey(prefix, 'core/Secret#metadata'), '5');
  const state = new DispatcherState(redis, prefix);
  t.deepEqual(await state.ensureEpoch(), { fresh: false }, 'an upgrade is not a Redis that lost its data');
  t.deepEqual(
    await state.loadResourceVersions(['core/ConfigMap', 'core/Secret#metadata']),
    new Map([
      ['core/ConfigMap', '7'],
      ['core/Secret#metadata', '5'],
    ]),
  );
  await state.saveResourceVersions(new Map([['core/ConfigMap', '8']]));
  t.deepEqual(
    await state.loadResourceVersions(['core/ConfigMap', 'core/Secret#metadata']),
    new Map([
      ['core/ConfigMap', '8'],
      ['core/Secret#metadata', '5'],
    ]),
    'a new checkpoint wins over the old release’s; a source without one still reads the old key',
  );
  t.false(await state.lostData());
});
