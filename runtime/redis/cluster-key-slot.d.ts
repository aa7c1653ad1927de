/** Types of `cluster-key-slot` (the package ships none): Redis Cluster's CRC16 key slot. */
declare module 'cluster-key-slot' {
  /** The slot (0–16383) of a key, honouring its `{hash tag}` as Redis does. */
  function generate(key: string | Buffer): number;
  namespace generate {
    /** The common slot of the keys, or -1 when they do not share one. */
    function generateMulti(keys: readonly (string | Buffer)[]): number;
  }
  export default generate;
}
