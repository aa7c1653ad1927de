/** The queue contract on a Redis Cluster of three primaries, each with a replica. */
import { redisCluster } from '../env/redis-topologies.js';
import { queueContract } from './queue-contract.js';

queueContract(async () => (await redisCluster()).endpoint);
