/** The queue contract on one Redis server: the test environment's. */
import { testEnv } from '../helpers/env.js';
import { queueContract } from './queue-contract.js';

queueContract(() => Promise.resolve(testEnv().redisUrl));
