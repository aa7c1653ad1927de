/**
 * Event predicates: what a change of an object must touch to be worth a reconcile. The primary
 * predicate of a function with a finalizer ignores the one change the worker host makes itself.
 */
import test from 'ava';
import {
  defaultPrimaryPredicate,
  finalizersChangedBesides,
  primaryPredicateFor,
  resourceVersionChanged,
} from '../../runtime/controller/predicates.js';
import type { KubeObject } from '../../runtime/kube/types.js';

const own = 'streaming.tanzu.vmware.com/finalizer';

function obj(meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { name: 'a', uid: 'u', generation: 1, resourceVersion: '1', ...meta } };
}

test('a first sighting always passes', (t) => {
  t.true(defaultPrimaryPredicate(undefined, obj()));
  t.true(primaryPredicateFor(own)(undefined, obj()));
  t.true(resourceVersionChanged(undefined, obj()));
});

test('a status write (only the resourceVersion moves) does not pass the primary predicate', (t) => {
  t.false(defaultPrimaryPredicate(obj(), obj({ resourceVersion: '2' })));
  t.false(primaryPredicateFor(own)(obj(), obj({ resourceVersion: '2' })));
  t.true(resourceVersionChanged(obj(), obj({ resourceVersion: '2' })));
});

test('a spec, annotation or deletion change passes', (t) => {
  const p = primaryPredicateFor(own);
  t.true(p(obj(), obj({ generation: 2 })));
  t.true(p(obj(), obj({ annotations: { 'sluice.io/force-delete': 'true' } })));
  t.true(p(obj(), obj({ deletionTimestamp: '2026-01-01T00:00:00Z' })));
});

test('the function adding its own finalizer does not pass, though it passes the default predicate', (t) => {
  const before = obj({ finalizers: ['other.io/keep'] });
  const after = obj({ finalizers: ['other.io/keep', own], resourceVersion: '2' });
  t.false(primaryPredicateFor(own)(before, after));
  t.false(finalizersChangedBesides(own)(obj(), obj({ finalizers: [own] })));
  t.true(defaultPrimaryPredicate(before, after));
});

test('another finalizer being added, or the own one being removed, still passes', (t) => {
  const p = finalizersChangedBesides(own);
  t.true(p(obj({ finalizers: [own] }), obj({ finalizers: [own, 'other.io/keep'] })));
  t.true(p(obj({ finalizers: [own] }), obj({ finalizers: [] })));
  t.true(p(obj({ finalizers: ['x', 'y'] }), obj({ finalizers: ['y', 'x'] })));
});

test('without a finalizer the primary predicate is the default one', (t) => {
  t.is(primaryPredicateFor(undefined), defaultPrimaryPredicate);
});
