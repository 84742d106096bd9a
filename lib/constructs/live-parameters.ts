import { Aws, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * How long the live ladder (`live/`) is kept. It is the quick replay of a stream that just ended,
 * until the MediaConvert ladder under `media/` is ready (minutes); past that it is only a fallback
 * for a recording that never came. Not a tunable (functions/tunables.ts): tunables are handler
 * environment variables, and no handler reads this; the bucket's lifecycle rule does.
 */
export const LIVE_RETENTION_DAYS = { default: 7, min: 1, max: 365 } as const;

export interface LiveParameters {
  /** Days after which S3 deletes an object under `live/` (a token: the deploy parameter). */
  readonly retentionDays: number;
  /** The Origin Shield Region of the live origin: the parameter, or the stack's own Region. */
  readonly originShieldRegion: string;
}

/**
 * The live tier's deploy parameters, direct children of the stack so their logical ids are exactly
 * `LiveRetentionDays` and `LiveOriginShieldRegion` (`cdk deploy --parameters <id>=...`).
 */
export function liveParameters(scope: Construct): LiveParameters {
  const stack = Stack.of(scope);
  const retention = new CfnParameter(stack, 'LiveRetentionDays', {
    type: 'Number',
    default: String(LIVE_RETENTION_DAYS.default),
    minValue: LIVE_RETENTION_DAYS.min,
    maxValue: LIVE_RETENTION_DAYS.max,
    description: 'Days the live ladder (live/, the quick replay) is kept before S3 deletes it',
  });
  // Origin Shield runs in most, not all, Regions: empty (the default) puts it in the stack's own
  // Region, the one nearest the bucket; a stack in a Region without Origin Shield names the
  // nearest one that has it. A parameter rather than a constant, so that choice needs no code change.
  const shield = new CfnParameter(stack, 'LiveOriginShieldRegion', {
    type: 'String',
    default: '',
    allowedPattern: '^([a-z]{2}-[a-z]+-\\d)?$',
    description: "Origin Shield Region of the live origin (e.g. eu-central-1); empty = the stack's Region",
  });
  const useStackRegion = new CfnCondition(stack, 'LiveOriginShieldInStackRegion', {
    expression: Fn.conditionEquals(shield.valueAsString, ''),
  });
  return {
    retentionDays: retention.valueAsNumber,
    originShieldRegion: Fn.conditionIf(useStackRegion.logicalId, Aws.REGION, shield.valueAsString).toString(),
  };
}
