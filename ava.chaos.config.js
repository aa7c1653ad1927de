// The fault-injection suite: it restarts shared servers, so its files run one at a time, after
// the main suite (`npm test`) or alone (`npm run chaos`).
export default {
  files: ['dist/test/chaos/**/*.test.js'],
  timeout: '5m',
  workerThreads: false,
  concurrency: 1,
  serial: true,
  verbose: true,
};
