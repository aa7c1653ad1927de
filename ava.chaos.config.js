// The tests that must run alone, one file at a time, after the main suite (`npm test`) or by
// themselves (`npm run chaos`): the fault-injection suite, which restarts shared servers, and the
// README test, whose `sluice dev` watches every namespace under the default queue prefix.
export default {
  files: ['dist/test/chaos/**/*.test.js', 'dist/test/readme/**/*.test.js'],
  timeout: '5m',
  workerThreads: false,
  concurrency: 1,
  serial: true,
  verbose: true,
};
