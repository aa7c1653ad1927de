/** The queue contract through Redis Sentinel: one primary, two replicas, three sentinels. */
import { sentinelGroup } from '../env/redis-topologies.js';
import { queueContract } from './queue-contract.js';

queueContract(async () => (await sentinelGroup()).endpoint);
