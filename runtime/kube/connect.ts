/**
 * @module runtime/kube/connect
 * Building a Kubernetes client from the operator's settings: the kubeconfig file when one is
 * named, the pod's ServiceAccount otherwise. Credentials are read by {@link LightKubeConfig},
 * which loads `@kubernetes/client-node` only for users it does not handle itself (exec plugins,
 * auth providers).
 */
import { environment, type SluiceConfig } from '../config.js';
import { KubeClient } from './client.js';
import { LightKubeConfig } from './kubeconfig.js';
import { KubeRest } from './rest.js';

export function kubeConfigFrom(config: Pick<SluiceConfig, 'kubeconfig'>): LightKubeConfig {
  return config.kubeconfig
    ? LightKubeConfig.fromFile(config.kubeconfig)
    : LightKubeConfig.inCluster(environment());
}

export function kubeClientFrom(config: Pick<SluiceConfig, 'kubeconfig'>): KubeClient {
  return new KubeClient(new KubeRest(kubeConfigFrom(config)));
}
