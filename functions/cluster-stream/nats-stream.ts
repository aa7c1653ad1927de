/**
 * @module functions/cluster-stream/nats-stream
 * A look at the NATS JetStream stream of a ClusterStream and what it takes to bring it to the
 * spec: create it or adopt an existing one (its subjects become the ClusterStream's subject), and
 * put every managed setting back to the spec (drift heals). As for Kafka, looking changes nothing;
 * the changes wait in {@link TopicPass.apply} for the owner. Settings JetStream cannot change on a
 * live stream (storage, retention, max_consumers) come back from the server as a refusal, which
 * ends as a terminal `InvalidTopicConfig` condition with the server's words.
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { TerminalError } from '../../runtime/index.js';
import { toNatsSluiceError } from '../../shared/index.js';
import type { TopicPass } from './kafka-topic.js';
import { natsChanges, type NatsStreamWant } from './nats-config.js';

interface ApiErrorLike {
  readonly api_error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

function apiError(err: unknown): ApiErrorLike['api_error'] {
  return typeof err === 'object' && err !== null ? (err as ApiErrorLike).api_error : undefined;
}

/** JetStream's "stream not found" (err_code 10059). */
export function isStreamNotFound(err: unknown): boolean {
  return apiError(err)?.err_code === 10059;
}

/**
 * Maps a JetStream API error: a request the server refuses as invalid (HTTP-like 400, or
 * err_code 10052 "invalid stream configuration") is terminal; the rest go through the shared
 * NATS mapping (unavailable, auth, other).
 */
export function toStreamError(err: unknown, what: string, stream: string): Error {
  const api = apiError(err);
  if (api && (api.code === 400 || api.err_code === 10052)) {
    return new TerminalError(
      'InvalidTopicConfig',
      `NATS stream ${stream}: JetStream refused it: ${api.description ?? 'invalid configuration'}`,
      { cause: err },
    );
  }
  return toNatsSluiceError(err, what);
}

const DISCARD = { old: DiscardPolicy.Old, new: DiscardPolicy.New } as const;
const RETENTION = {
  limits: RetentionPolicy.Limits,
  interest: RetentionPolicy.Interest,
  workqueue: RetentionPolicy.Workqueue,
} as const;
const STORAGE = { file: StorageType.File, memory: StorageType.Memory } as const;

/** The nats client's configuration for `want`. */
export function streamConfig(want: NatsStreamWant): Partial<StreamConfig> {
  return {
    name: want.name,
    subjects: [...want.subjects],
    num_replicas: want.num_replicas,
    max_msgs: want.max_msgs,
    max_bytes: want.max_bytes,
    max_msg_size: want.max_msg_size,
    max_msgs_per_subject: want.max_msgs_per_subject,
    max_consumers: want.max_consumers,
    max_age: want.max_age,
    duplicate_window: want.duplicate_window,
    discard: DISCARD[want.discard],
    retention: RETENTION[want.retention],
    storage: STORAGE[want.storage],
    ...(want.description ? { description: want.description } : {}),
  };
}

/**
 * Looks at the stream. `ignored` settings are neither compared nor sent on update (the client
 * merges an update into the server's current configuration, so they stay as they are). Errors
 * are mapped by {@link toStreamError}.
 */
export async function inspectNatsStream(
  jsm: JetStreamManager,
  want: NatsStreamWant,
  ignored: ReadonlySet<string> = new Set(),
): Promise<TopicPass> {
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(want.name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw toStreamError(err, `read NATS stream ${want.name}`, want.name);
  }
  if (info === undefined) {
    return {
      existed: false,
      missing: true,
      changes: [],
      refusals: [],
      actions: [],
      async apply() {
        try {
          await jsm.streams.add(streamConfig(want));
        } catch (err) {
          throw toStreamError(err, `create NATS stream ${want.name}`, want.name);
        }
        return {
          actions: [
            {
              reason: 'TopicCreated',
              message: `created NATS JetStream stream ${want.name} on subject ${want.subjects.join(', ')}`,
            },
          ],
        };
      },
    };
  }
  const changes = natsChanges(want, info.config as unknown as Record<string, unknown>, ignored);
  return {
    existed: true,
    missing: false,
    changes,
    refusals: [],
    actions: [],
    async apply() {
      if (changes.length === 0) return { actions: [] };
      // An empty description is sent too, so that one set on the server is cleared.
      const { name: _name, ...all } = { ...streamConfig(want), description: want.description };
      const update = Object.fromEntries(Object.entries(all).filter(([key]) => !ignored.has(key)));
      try {
        await jsm.streams.update(want.name, update);
      } catch (err) {
        throw toStreamError(err, `update NATS stream ${want.name}`, want.name);
      }
      return {
        actions: [
          {
            reason: 'TopicConfigured',
            message: `set ${changes.map((c) => c.setting).join(', ')} of NATS stream ${want.name}`,
          },
        ],
      };
    },
  };
}

/**
 * Deletes the stream.
 * @returns false when it did not exist.
 */
export async function deleteNatsStream(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    return await jsm.streams.delete(stream);
  } catch (err) {
    if (isStreamNotFound(err)) return false;
    throw toStreamError(err, `delete NATS stream ${stream}`, stream);
  }
}
