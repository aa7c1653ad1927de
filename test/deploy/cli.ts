/**
 * @module test/deploy/cli
 * `node dist/test/deploy/cli.js render`: copies `crds/` into the chart and renders the plain
 * manifests of `deploy/manifests/` from the chart's defaults. The chart tests fail until both are
 * current, so run this after changing the chart or the CRDs.
 */
import { messageOf } from '../../runtime/index.js';
import { syncChartCrds, writeManifests } from './chart.js';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'render') throw new Error('usage: node dist/test/deploy/cli.js render');
  syncChartCrds();
  const files = await writeManifests();
  process.stdout.write(`chart crds/ synced; wrote deploy/manifests/{${files.join(',')}}\n`);
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${messageOf(err)}\n`);
  process.exit(1);
});
