/**
 * @module test/deploy/cli
 * `node dist/test/deploy/cli.js render`: copies `crds/` into the chart, writes the chart's
 * generated template from the function declarations (`generate.ts`), and renders the plain
 * manifests of `deploy/manifests/` from the chart's defaults. The chart tests fail until both are
 * current, so run this after changing the chart or the CRDs.
 */
import { messageOf } from '../../runtime/index.js';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import { syncChartCrds, writeManifests } from './chart.js';
import { writeGeneratedTemplate } from './generate.js';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'render') throw new Error('usage: node dist/test/deploy/cli.js render');
  syncChartCrds();
  writeGeneratedTemplate(SLUICE_FUNCTIONS);
  const files = await writeManifests();
  process.stdout.write(
    `chart crds/ synced; templates/_generated.tpl written from the declarations; wrote deploy/manifests/{${files.join(',')}}\n`,
  );
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${messageOf(err)}\n`);
  process.exit(1);
});
