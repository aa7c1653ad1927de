/** Fairness between namespaces and aging, the pure parts: levels from decayed counts (runtime/queue/fairness.ts), the aging tick, their settings. */
import test from 'ava';
import { ConfigError, FairShare, MAX_FAIR_LEVEL, agingTickMs, levelOf } from '../../runtime/index.js';
import { loadConfig } from '../../runtime/config.js';

test('a namespace within its quantum is unprioritized, each further quantum one level lower', (t) => {
  t.is(levelOf(0, 10), 0);
  t.is(levelOf(9, 10), 0);
  t.is(levelOf(10, 10), 1);
  t.is(levelOf(19.5, 10), 1);
  t.is(levelOf(20, 10), 2);
  t.is(levelOf(1e9, 10), MAX_FAIR_LEVEL, 'the level is capped below the resync priority');
});

test('a burst of one namespace climbs the levels while another namespace stays unprioritized', (t) => {
  const fair = new FairShare({ quantum: 3, halfLifeMs: 1000 });
  const flood = Array.from({ length: 10 }, () => fair.level('flood', 0));
  t.deepEqual(flood, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
  t.is(fair.level('quiet', 0), 0);
});

test('a namespace’s count halves every half-life, so a quiet spell brings it back to level 0', (t) => {
  const fair = new FairShare({ quantum: 4, halfLifeMs: 1000 });
  for (let i = 0; i < 16; i++) fair.level('a', 0);
  t.is(fair.count('a', 0), 16);
  t.is(fair.count('a', 1000), 8);
  t.is(fair.count('a', 2000), 4);
  t.is(fair.level('a', 2000), 1, '4 recent requests: one quantum over');
  t.is(fair.level('a', 10_000), 0, 'after eight half-lives the namespace is within its quantum again');
});

test('namespaces whose counts have decayed away are forgotten', (t) => {
  const fair = new FairShare({ quantum: 2, halfLifeMs: 100 });
  for (let i = 0; i < 50; i++) fair.level(`ns-${i}`, 0);
  t.is(fair.size, 50);
  fair.level('late', 10_000);
  t.is(fair.size, 1);
});

test('a quantum below one or a half-life that is not positive is refused', (t) => {
  t.throws(() => new FairShare({ quantum: 0 }), { instanceOf: ConfigError });
  t.throws(() => new FairShare({ quantum: 1.5 }), { instanceOf: ConfigError });
  t.throws(() => new FairShare({ halfLifeMs: 0 }), { instanceOf: ConfigError });
});

test('the aging loop ticks at a quarter of the bound, between 100 ms and 5 s', (t) => {
  t.is(agingTickMs(2000), 500);
  t.is(agingTickMs(100), 100);
  t.is(agingTickMs(600_000), 5000);
});

test('fairness is off and the aging bound is the resync period unless configured', (t) => {
  const c = loadConfig({});
  t.is(c.fairness, 'off');
  t.is(c.fairnessQuantum, 50);
  t.is(c.queueMaxWaitSeconds, 600);
  t.is(loadConfig({ SLUICE_RESYNC_SECONDS: '120' }).queueMaxWaitSeconds, 120);
});

test('SLUICE_FAIRNESS, SLUICE_FAIRNESS_QUANTUM and SLUICE_QUEUE_MAX_WAIT_SECONDS are read, and 0 turns aging off', (t) => {
  const c = loadConfig({
    SLUICE_FAIRNESS: 'namespace',
    SLUICE_FAIRNESS_QUANTUM: '8',
    SLUICE_QUEUE_MAX_WAIT_SECONDS: '0',
  });
  t.is(c.fairness, 'namespace');
  t.is(c.fairnessQuantum, 8);
  t.is(c.queueMaxWaitSeconds, 0);
});

test('a malformed fairness setting is refused with the variable named', (t) => {
  t.throws(() => loadConfig({ SLUICE_FAIRNESS: 'tenant' }), {
    instanceOf: ConfigError,
    message: /SLUICE_FAIRNESS/,
  });
  t.throws(() => loadConfig({ SLUICE_FAIRNESS_QUANTUM: '0' }), {
    instanceOf: ConfigError,
    message: /SLUICE_FAIRNESS_QUANTUM/,
  });
  t.throws(() => loadConfig({ SLUICE_QUEUE_MAX_WAIT_SECONDS: '-1' }), {
    instanceOf: ConfigError,
    message: /SLUICE_QUEUE_MAX_WAIT_SECONDS/,
  });
});
