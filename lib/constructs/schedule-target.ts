import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { eventSources } from '../../functions/manifest.ts';
import type { Functions } from './handlers.ts';

export interface ScheduleTargetProps {
  /** The schedule group's name: the manifest event source's `group`. */
  readonly groupName: string;
  /** The one function every schedule of the group invokes. */
  readonly target: IFunction;
}

/**
 * An EventBridge Scheduler group for one-off schedules that a handler creates at runtime, and the
 * execution role those schedules run as, allowed to invoke `target` and nothing else. The group and
 * role are fixed here; only the schedules (name, time, payload) are made at runtime.
 */
export class ScheduleTarget extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ScheduleTargetProps) {
    super(scope, id);
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.groupName,
      // Its schedules are one-offs due within minutes: nothing worth keeping, and a retained group
      // would make the next deploy under the same name fail.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      description: `Runs the schedules of group ${props.groupName}`,
      // Confused-deputy guard: only Scheduler acting for this group, in this account, may assume it.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    // The unqualified ARN only: schedules target the function ARN handed out in env (no version or
    // alias), so `<arn>:*` is not needed.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }),
    );
  }

  /**
   * Lets `role` create schedules in this group that run as this group's role: `scheduler:CreateSchedule`
   * on the group's schedules, and `iam:PassRole` on the execution role, to Scheduler only.
   */
  grantCreateSchedule(role: iam.Role): void {
    const groupName = this.group.scheduleGroupName;
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    // The ARN names the group by its literal name, so CloudFormation would not order them; a function
    // must not be able to run before the group it writes to exists.
    role.node.addDependency(this.group);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
      reason: `Schedule names are made at runtime (one per broadcaster drop); the ARN is pinned to the ${groupName} group, whose execution role may only invoke one function.`,
    });
  }
}

/** A handler that the manifest's `eventSources` invokes on a schedule. */
export type ScheduledHandler = Extract<(typeof eventSources)[number], { kind: 'schedule' }>['handler'];

/** One `ScheduleTarget` per manifest event source of kind `schedule`, by the handler it invokes. */
export function scheduleTargetsFromManifest(
  scope: Construct,
  functions: Functions,
): Record<ScheduledHandler, ScheduleTarget> {
  const entries = eventSources
    .filter((source) => source.kind === 'schedule')
    .map((source) => {
      const target = functions[source.handler].function;
      const construct = new ScheduleTarget(scope, `${source.handler}Schedules`, {
        groupName: source.group,
        target,
      });
      return [source.handler, construct] as const;
    });
  return Object.fromEntries(entries) as Record<ScheduledHandler, ScheduleTarget>;
}
