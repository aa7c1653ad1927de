/**
 * @module functions/streambus-cluster/watch
 * What triggers a StreamBusCluster reconcile besides its own changes: the objects it owns.
 */
