/**
 * One test per field of spec.security: each reaches the broker configuration file and, for the
 * TLS Secrets, read-only volumes of the broker pods.
 */
import test from 'ava';
import { at, build, mount, volume } from './build.js';

const tlsOn = { enabled: true, certSecretName: 'streambus-tls-certs' };

test('spec.security.tls.enabled turns on TLS in the broker config and mounts the certificate', (t) => {
  const on = build({ security: { tls: tlsOn } });
  t.is(at(on.config, 'security', 'tls', 'enabled'), true);
  t.truthy(mount(on, 'tls'));
  const off = build({ security: { tls: { ...tlsOn, enabled: false } } });
  t.is(at(off.config, 'security'), undefined, 'the broker reads an absent security section as off');
  t.is(mount(off, 'tls'), undefined);
});

test('spec.security.tls.certSecretName is mounted read-only where the config looks for the certificate', (t) => {
  const b = build({ security: { tls: tlsOn } });
  t.deepEqual(volume(b, 'tls'), { name: 'tls', secret: { secretName: 'streambus-tls-certs' } });
  t.deepEqual(mount(b, 'tls'), { name: 'tls', mountPath: '/etc/streambus/tls', readOnly: true });
  t.is(at(b.config, 'security', 'tls', 'cert_file'), '/etc/streambus/tls/tls.crt');
  t.is(at(b.config, 'security', 'tls', 'key_file'), '/etc/streambus/tls/tls.key');
});

test('spec.security.tls.caSecretName is mounted read-only and is the CA file of the config', (t) => {
  const b = build({ security: { tls: { ...tlsOn, caSecretName: 'streambus-ca-cert' } } });
  t.deepEqual(volume(b, 'ca'), { name: 'ca', secret: { secretName: 'streambus-ca-cert' } });
  t.deepEqual(mount(b, 'ca'), { name: 'ca', mountPath: '/etc/streambus/ca', readOnly: true });
  t.is(at(b.config, 'security', 'tls', 'ca_file'), '/etc/streambus/ca/ca.crt');
  const without = build({ security: { tls: tlsOn } });
  t.is(volume(without, 'ca'), undefined);
  t.is(at(without.config, 'security', 'tls', 'ca_file'), '/etc/streambus/tls/ca.crt');
});

test('spec.security.tls.clientAuthRequired turns on client certificate checks in the config', (t) => {
  const b = build({ security: { tls: { ...tlsOn, clientAuthRequired: true } } });
  t.is(at(b.config, 'security', 'tls', 'client_auth_required'), true);
  t.is(at(build({ security: { tls: tlsOn } }).config, 'security', 'tls', 'client_auth_required'), false);
});

test('spec.security.authentication.enabled turns on authentication in the config', (t) => {
  const b = build({ security: { authentication: { enabled: true, method: 'jwt' } } });
  t.is(at(b.config, 'security', 'authentication', 'enabled'), true);
  const off = build({ security: { authentication: { enabled: false, method: 'jwt' } } });
  t.is(at(off.config, 'security', 'authentication'), undefined);
});

test('spec.security.authentication.method is the authentication method of the config', (t) => {
  const b = build({ security: { tls: tlsOn, authentication: { enabled: true, method: 'mtls' } } });
  t.is(at(b.config, 'security', 'authentication', 'method'), 'mtls');
});

test('spec.security.authentication.allowedMethods are the accepted methods of the config', (t) => {
  const b = build({
    security: {
      tls: tlsOn,
      authentication: { enabled: true, method: 'mtls', allowedMethods: ['mtls', 'jwt'] },
    },
  });
  t.deepEqual(at(b.config, 'security', 'authentication', 'allowed_methods'), ['mtls', 'jwt']);
  const first = build({ security: { authentication: { enabled: true, allowedMethods: ['jwt'] } } });
  t.is(at(first.config, 'security', 'authentication', 'method'), 'jwt', 'no method: the first allowed one');
});

test('spec.security.authentication.jwtSecretName is mounted read-only at /etc/streambus/jwt and named in the config', (t) => {
  const b = build({
    security: { authentication: { enabled: true, method: 'jwt', jwtSecretName: 'streambus-jwt-secret' } },
  });
  t.deepEqual(volume(b, 'jwt'), { name: 'jwt', secret: { secretName: 'streambus-jwt-secret' } });
  t.deepEqual(mount(b, 'jwt'), { name: 'jwt', mountPath: '/etc/streambus/jwt', readOnly: true });
  t.deepEqual(at(b.config, 'security', 'authentication', 'jwt'), { key_dir: '/etc/streambus/jwt' });
  const allowed = build({
    security: {
      tls: tlsOn,
      authentication: { enabled: true, method: 'mtls', allowedMethods: ['mtls', 'jwt'], jwtSecretName: 'k' },
    },
  });
  t.deepEqual(
    volume(allowed, 'jwt'),
    { name: 'jwt', secret: { secretName: 'k' } },
    'jwt as an allowed method',
  );
  const off = build({
    security: { authentication: { enabled: false, method: 'jwt', jwtSecretName: 'streambus-jwt-secret' } },
  });
  t.is(volume(off, 'jwt'), undefined, 'disabled authentication mounts nothing');
  t.is(at(off.config, 'security'), undefined);
});

test('spec.security.authentication.jwtSecretName without jwt among the methods is an InvalidSpec', (t) => {
  const err = t.throws(() =>
    build({
      security: { tls: tlsOn, authentication: { enabled: true, method: 'mtls', jwtSecretName: 'k' } },
    }),
  );
  t.regex(err?.message ?? '', /jwtSecretName needs jwt as the method or among allowedMethods/);
});

test('spec.security.authorization.enabled turns on access checks in the config', (t) => {
  t.is(
    at(
      build({ security: { authorization: { enabled: true } } }).config,
      'security',
      'authorization',
      'enabled',
    ),
    true,
  );
  t.is(at(build({ security: { authorization: { enabled: false } } }).config, 'security'), undefined);
});

test('spec.security.authorization.defaultPolicy is the default policy of the config (deny when absent)', (t) => {
  const allow = build({ security: { authorization: { enabled: true, defaultPolicy: 'allow' } } });
  t.is(at(allow.config, 'security', 'authorization', 'default_policy'), 'allow');
  const absent = build({ security: { authorization: { enabled: true } } });
  t.is(at(absent.config, 'security', 'authorization', 'default_policy'), 'deny');
});

test('the seed security example renders TLS, mtls and deny-by-default together', (t) => {
  const b = build({
    security: {
      tls: {
        enabled: true,
        certSecretName: 'streambus-tls-certs',
        caSecretName: 'streambus-ca-cert',
        clientAuthRequired: true,
      },
      authentication: { enabled: true, method: 'mtls', allowedMethods: ['mtls', 'jwt'] },
      authorization: { enabled: true, defaultPolicy: 'deny' },
    },
  });
  t.deepEqual(at(b.config, 'security'), {
    tls: {
      enabled: true,
      cert_file: '/etc/streambus/tls/tls.crt',
      key_file: '/etc/streambus/tls/tls.key',
      ca_file: '/etc/streambus/ca/ca.crt',
      client_auth_required: true,
    },
    authentication: { enabled: true, method: 'mtls', allowed_methods: ['mtls', 'jwt'] },
    authorization: { enabled: true, default_policy: 'deny' },
  });
});
