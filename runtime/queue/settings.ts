/**
 * @module runtime/queue/settings
 * Queue-wide settings kept in Redis with each queue: the rate limit that protects the API server.
 * Applied by every worker host at start, and by the dispatcher after Redis lost its data.
 */
import type { Queue } from 'bullmq';

/** Sets (or, for 0, removes) the queue-wide limit of reconciles started per second. */
export async function applyQueueSettings(queue: Queue, rateLimitPerSecond: number): Promise<void> {
  if (rateLimitPerSecond > 0) await queue.setGlobalRateLimit(rateLimitPerSecond, 1000);
  else await queue.removeGlobalRateLimit();
}
