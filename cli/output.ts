/**
 * @module cli/output
 * Human tables by default, JSON with `-o json`.
 */
export type OutputFormat = 'table' | 'json';

/** Prints rows as an aligned table (column order from the first row) or as JSON. */
export function printTable(
  rows: readonly Record<string, string | number | boolean | undefined>[],
  format: OutputFormat,
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (format === 'json') {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (format !== 'table') throw new Error(`unknown output format ${String(format)}: use table or json`);
  const first = rows[0];
  if (!first) {
    out.write('(none)\n');
    return;
  }
  const cols = Object.keys(first);
  const cell = (v: string | number | boolean | undefined): string => (v === undefined ? '-' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out.write(`${line(cols.map((c) => c.toUpperCase()))}\n`);
  for (const r of rows) out.write(`${line(cols.map((c) => cell(r[c])))}\n`);
}
