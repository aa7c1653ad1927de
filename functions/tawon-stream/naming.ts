/**
 * @module functions/tawon-stream/naming
 * Where a Tawon Stream lives on its store, decided once here:
 * - the JetStream stream is named `<namespace>_<name>`, with every `.` of the name turned into `_`
 *   (JetStream names cannot hold dots). Namespaces hold neither `.` nor `_` and Kubernetes names
 *   hold no `_`, so distinct Streams never share a JetStream name;
 * - its one subject is `tawon.<namespace>.<name>` (a name with dots gives more tokens; no
 *   wildcard, so two Streams' subjects never overlap).
 */

/** The JetStream stream name of Tawon Stream `name` in `namespace`. */
export function jetStreamName(namespace: string, name: string): string {
  return `${namespace}_${name.replace(/\./g, '_')}`;
}

/** The subject a Tawon Stream captures, which publishers write to. */
export function streamSubject(namespace: string, name: string): string {
  return `tawon.${namespace}.${name}`;
}
