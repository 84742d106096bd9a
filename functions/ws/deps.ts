import { ApiGatewayConnectionSender } from '../adapters/connection-sender.ts';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { DynamoRelayReads } from '../adapters/relay-reads.ts';
import { DynamoStreamStore } from '../adapters/stream-store.ts';
import { randomIds, systemClock } from '../adapters/system.ts';
import { DynamoViewerStore } from '../adapters/viewer-store.ts';
import { EventBridgeWatchdogScheduler } from '../adapters/watchdog-scheduler.ts';
import { chatDeps, chatLimitsFromEnv } from '../api/deps.ts';
import { intEnv, requireEnv, seatRepairAfterMsFromEnv } from '../config.ts';
import type { SignalingDeps } from '../core/signaling.ts';
import type { FrameDeps } from './actions.ts';

/** What ending a stream needs: the stream, and every connection of it to tell. */
export function endDeps() {
  return {
    streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')),
    connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')),
    sender: new ApiGatewayConnectionSender(requireEnv('WS_CALLBACK_URL')),
    clock: systemClock,
  };
}

/** Composition root of the signaling handlers, built once per cold start. */
export function signalingDeps(): SignalingDeps {
  return {
    ...endDeps(),
    viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')),
    relay: new DynamoRelayReads(requireEnv('STREAMS_TABLE'), requireEnv('VIEWERS_TABLE')),
    ids: randomIds,
    seatRepairAfterMs: seatRepairAfterMsFromEnv(),
    watchdog: new EventBridgeWatchdogScheduler({
      functionArn: requireEnv('WATCHDOG_FUNCTION_ARN'),
      roleArn: requireEnv('WATCHDOG_SCHEDULER_ROLE_ARN'),
      group: requireEnv('WATCHDOG_SCHEDULE_GROUP'),
    }),
    graceSeconds: intEnv('BROADCASTER_GRACE_SECONDS', 60, { min: 5, max: 600 }),
  };
}

/** $default also runs the chat actions: room bans, and posting under the same limits as REST. */
export function frameDeps(): FrameDeps {
  return { ...signalingDeps(), ...chatDeps(), chatLimits: chatLimitsFromEnv() };
}
