import { CfnParameter, type CfnParameterProps, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ParameterEnvName } from './environment.ts';

interface ParameterSpec extends CfnParameterProps {
  /** The parameter's logical id: `cdk deploy --parameters <id>=...`. */
  readonly id: string;
}

// Number parameters carry the ranges the handlers accept (functions/config.ts `intEnv` calls), so
// a bad value fails the deployment instead of every cold start.
const number = (
  fallback: string,
  min: number,
  max: number,
  description: string,
): Omit<ParameterSpec, 'id'> => ({
  type: 'Number',
  minValue: min,
  maxValue: max,
  default: fallback,
  description,
});

// Parameters, not constants: operators set identity-provider and TURN details per environment and
// tune the numbers without a code change. Typed as a Record: a name environment.ts classifies as
// 'parameter' fails `tsc` until it has a spec here.
const SPECS: Record<ParameterEnvName, ParameterSpec> = {
  AUTH_JWKS_URL: {
    id: 'AuthJwksUrl',
    description: 'JWKS URL of the OIDC issuer',
    allowedPattern: '^https://.+',
  },
  AUTH_ISSUER: { id: 'AuthIssuer', description: 'Expected JWT `iss`', minLength: 1 },
  AUTH_AUDIENCE: { id: 'AuthAudience', description: 'Expected JWT `aud`', minLength: 1 },
  TURN_SERVER: {
    id: 'TurnServer',
    default: '',
    description: 'TURN URL(s), comma separated; empty = STUN only',
  },
  TURN_USERNAME: { id: 'TurnUsername', default: '', description: 'Static TURN username' },
  // noEcho hides the value in CloudFormation; it is still visible in the Lambda configuration.
  TURN_PASSWORD: { id: 'TurnPassword', default: '', noEcho: true, description: 'Static TURN password' },
  TURN_SECRET: { id: 'TurnSecret', default: '', noEcho: true, description: 'TURN REST shared secret' },
  TURN_TTL_SECONDS: {
    id: 'TurnTtlSeconds',
    ...number('3600', 60, 86_400, 'Lifetime of TURN REST credentials'),
  },
  DEFAULT_MAX_VIEWERS: {
    id: 'DefaultMaxViewers',
    ...number('50', 1, 10_000, 'Viewer limit of a new stream'),
  },
  // 7500 s: just past API Gateway's 2 h WebSocket limit, so a lost $disconnect cannot leak rows.
  CONNECTION_TTL_SECONDS: {
    id: 'ConnectionTtlSeconds',
    ...number('7500', 60, 86_400, 'TTL of a connection row'),
  },
  // Long enough to open a WebSocket after a REST round trip on a slow mobile link; short enough
  // that a ticket leaked into a proxy log is worthless soon after.
  SIGNALING_TICKET_TTL_SECONDS: {
    id: 'SignalingTicketTtlSeconds',
    ...number('60', 10, 300, 'Lifetime of a WebSocket ticket'),
  },
  BROADCASTER_GRACE_SECONDS: {
    id: 'BroadcasterGraceSeconds',
    ...number('60', 5, 600, 'How long a live stream waits for its broadcaster to reconnect'),
  },
  // At least 15 s: past the functions' 10 s timeout, so a join or leave still running is never
  // taken for an interrupted one (functions/config.ts reads it with the same range).
  SEAT_REPAIR_AFTER_SECONDS: {
    id: 'SeatRepairAfterSeconds',
    ...number('60', 15, 3600, 'After how long a join or leave interrupted by a crash is repaired'),
  },
  // Ranges and defaults as functions/api/deps.ts reads them.
  CHAT_RATE_LIMIT: {
    id: 'ChatRateLimit',
    ...number('5', 1, 1000, 'Chat messages a user may post per stream in 10 s'),
  },
  CHAT_ROOM_RATE_LIMIT: {
    id: 'ChatRoomRateLimit',
    ...number('10', 1, 1000, 'Chat messages all users together may post per stream per second'),
  },
  CHAT_RETENTION_DAYS: {
    id: 'ChatRetentionDays',
    ...number('30', 1, 3650, 'Days chat history is kept (DynamoDB TTL deletes older messages)'),
  },
  // Ranges and defaults as functions/api/deps.ts reads them; 5 TiB is S3's largest object.
  RECORDING_MAX_BYTES: {
    id: 'RecordingMaxBytes',
    ...number(
      String(10 * 1024 ** 3),
      1024 ** 2,
      5 * 1024 ** 4,
      'Largest recording upload accepted, in bytes',
    ),
  },
  RECORDING_UPLOAD_WINDOW_SECONDS: {
    id: 'RecordingUploadWindowSeconds',
    ...number('900', 60, 86_400, 'How long after a stream ends its owner may still upload its recording'),
  },
};

/**
 * Stack parameters, created on first use so a template only asks for what some handler reads
 * (a stack without authenticated routes would not require the Auth* parameters).
 */
export class DeployParameters {
  private readonly stack: Stack;
  private readonly made = new Map<ParameterEnvName, CfnParameter>();

  constructor(scope: Construct) {
    // Direct children of the stack keep their logical id exactly (`AuthJwksUrl`, no hash suffix).
    this.stack = Stack.of(scope);
  }

  value(name: ParameterEnvName): string {
    let parameter = this.made.get(name);
    if (!parameter) {
      const { id, ...props } = SPECS[name];
      parameter = new CfnParameter(this.stack, id, props);
      this.made.set(name, parameter);
    }
    return parameter.valueAsString;
  }
}
