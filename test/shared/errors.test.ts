/**
 * @module test/shared/errors
 * Messages from code that is not Sluice's are redacted before they reach a condition, and API
 * errors are classified by their status and Status details, never by their text.
 */
import test from 'ava';
import { classify } from '../../runtime/worker/reconcile-object.js';
import { KubeApiError, RetryableError, redactMessage } from '../../runtime/index.js';

test('a URL password, a bearer token and key=value credentials are redacted, the rest stays', (t) => {
  t.is(
    redactMessage('connect ECONNREFUSED redis://default:s3cr3t@10.0.0.1:6379'),
    'connect ECONNREFUSED redis://default:[redacted]@10.0.0.1:6379',
  );
  t.is(
    redactMessage('GET /x: Authorization: Bearer eyJhbGci.eyJzdWIi.sig'),
    'GET /x: Authorization: Bearer [redacted]',
  );
  t.is(redactMessage('sasl failed: password=hunter2 user=bob'), 'sasl failed: password=[redacted] user=bob');
  t.is(redactMessage('{"token": "abc123", "n": 1}'), '{"token": "[redacted]", "n": 1}');
  t.is(
    redactMessage('https://example.com/path?api_key=k1&x=2'),
    'https://example.com/path?api_key=[redacted]&x=2',
  );
  t.is(redactMessage('topic orders: 3 partitions'), 'topic orders: 3 partitions');
});

test('a 404 for a missing namespace is NamespaceNotFound, naming SLUICE_NAMESPACE when it is the operator namespace', (t) => {
  const missing = (name: string): KubeApiError =>
    new KubeApiError(404, 'NotFound', `PATCH secrets/x: 404 NotFound: namespaces "${name}" not found`, {
      details: { kind: 'namespaces', name },
    });
  const operator = classify(missing('sluice-system'), 'sluice-system');
  t.true(operator instanceof RetryableError);
  t.is((operator as RetryableError).reason, 'NamespaceNotFound');
  t.regex((operator as RetryableError).message, /SLUICE_NAMESPACE/);
  t.regex((operator as RetryableError).message, /kubectl create namespace sluice-system/);
  const other = classify(missing('apps'), 'sluice-system') as RetryableError;
  t.is(other.reason, 'NamespaceNotFound');
  t.notRegex(other.message, /SLUICE_NAMESPACE/);
  // A missing object (not its namespace) is left to the reconciler.
  const notFound = new KubeApiError(404, 'NotFound', 'secrets "x" not found', {
    details: { kind: 'secrets', name: 'x' },
  });
  t.is(classify(notFound, 'sluice-system'), notFound);
});
