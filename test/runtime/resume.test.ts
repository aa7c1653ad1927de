/**
 * The one owner of a watch's resume, without a server: where each watch opens, the checkpoint,
 * what a resumed list leaves out, and which events the consumers must take as new.
 */
import test from 'ava';
import type { KubeObject } from '../../runtime/kube/types.js';
import { WatchResume } from '../../runtime/watch/resume.js';

const obj = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'n', uid: name, resourceVersion: rv },
});

test('without a checkpoint the watcher lists first, and the checkpoint moves only once established', (t) => {
  const r = new WatchResume();
  t.is(r.from, undefined);
  r.beginList();
  t.is(r.listed(obj('a', '3')), 'compare');
  t.is(r.checkpoint, undefined);
  r.establish('10');
  t.is(r.checkpoint, '10');
  r.reached('12');
  t.deepEqual([r.from, r.checkpoint], ['12', '12']);
});

test('a resumed watch opens at the checkpoint; its list leaves out what the watch delivered and only refills', (t) => {
  const r = new WatchResume('5');
  t.is(r.from, '5');
  r.beginResumed();
  r.delivered(obj('a', '7'));
  r.reached('7');
  t.is(r.checkpoint, undefined, 'no checkpoint inside the list');
  t.is(r.from, '7', 'a reconnect inside the list opens where the watch got');
  t.is(r.listed(obj('a', '6')), 'skip');
  t.is(r.listed(obj('b', '9')), 'refill');
  r.establish(r.from ?? '');
  t.is(r.checkpoint, '7');
});

test('after a resumed list, the replayed changes up to its newest version are new, and later ones are not', (t) => {
  const r = new WatchResume('5');
  r.beginResumed();
  r.listed(obj('a', '8'));
  r.listed(obj('b', '9'));
  r.establish('5');
  t.true(r.replays('apply', '6'));
  t.false(r.replays('delete', '7'), 'a replayed delete needs no previous object');
  t.true(r.replays('apply', '9'));
  t.false(r.replays('apply', '10'), 'past the list: a live change');
  t.false(r.replays('apply', '8'), 'the window closed at the first live change');
});

test('a re-list after a resumed watch that delivered nothing (410) takes every object as new', (t) => {
  const r = new WatchResume('5');
  r.beginResumed();
  r.gone();
  t.is(r.from, undefined, '410: the next start lists afresh');
  r.beginList();
  t.is(r.listed(obj('a', '20')), 'replay');
  r.establish('21');
  r.gone();
  r.beginList();
  t.is(r.listed(obj('a', '30')), 'compare', 'a re-list after a healthy watch compares with the cache');
});

test('a resumed watch that delivered a bookmark before its 410 re-lists by comparison', (t) => {
  const r = new WatchResume('5');
  r.beginResumed();
  r.delivered();
  r.gone();
  r.beginList();
  t.is(r.listed(obj('a', '20')), 'compare');
});

test('the checkpoint is kept after a 410 until the re-list is established', (t) => {
  const r = new WatchResume();
  r.beginList();
  r.establish('10');
  r.gone();
  r.beginList();
  r.reached('15');
  t.is(r.checkpoint, '10');
  r.establish('20');
  t.is(r.checkpoint, '20');
});
