/**
 * @module test/env/cli
 * `node dist/test/env/cli.js up|down|status`: the entry point behind `npm run env:*`.
 */
import { down, status, up } from './manager.js';

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    default:
      console.error('usage: env up|down|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`env ${process.argv[2] ?? ''} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
