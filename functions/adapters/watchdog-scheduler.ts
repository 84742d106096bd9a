import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { StreamCheck, WatchdogScheduler } from '../core/ports.ts';

export interface WatchdogTarget {
  functionArn: string;
  roleArn: string;
  group: string;
}

/**
 * `at()` takes a date-time without zone (UTC by default) to the second: rounded up, so a grace
 * period is never cut short.
 */
const atExpression = (ms: number) =>
  `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`;

/**
 * One-off EventBridge Scheduler schedules that invoke the stream watchdog and then delete
 * themselves. The name is unique per drop, so a retried $disconnect cannot schedule twice.
 */
export class EventBridgeWatchdogScheduler implements WatchdogScheduler {
  constructor(
    private readonly target: WatchdogTarget,
    private readonly client = new SchedulerClient({ maxAttempts: 3 }),
  ) {}

  async scheduleCheck(check: StreamCheck, atMs: number): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: `stream-${check.streamId}-${check.goneAt}`,
          GroupName: this.target.group,
          ScheduleExpression: atExpression(atMs),
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.target.functionArn,
            RoleArn: this.target.roleArn,
            Input: JSON.stringify(check),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConflictException')) throw error;
    }
  }
}
