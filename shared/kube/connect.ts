/**
 * @module kube/connect
 * Building a Kubernetes client from the operator's settings: the kubeconfig file when one is
 * named, the pod's ServiceAccount otherwise.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { SluiceConfig } from '../config.js';
import { KubeClient } from './client.js';
import { KubeRest } from './rest.js';

export function kubeConfigFrom(config: Pick<SluiceConfig, 'kubeconfig'>): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

export function kubeClientFrom(config: Pick<SluiceConfig, 'kubeconfig'>): KubeClient {
  return new KubeClient(new KubeRest(kubeConfigFrom(config)));
}
