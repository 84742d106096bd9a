import { type EmulatorLogger, type HttpResponse, LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../constants.ts';
import { localFunctionArn } from '../lambda/lambda-context.ts';
import { type AwsRequest, awsError, awsResponse } from '../shared/aws-json.ts';
import { decodeLoosely } from '../shared/http-io.ts';
import { parseAtExpression } from './schedule-expression.ts';
import { createScheduleStore, type Schedule } from './schedule-store.ts';

export interface SchedulerOptions {
  /** Where the SDK's endpoint points, `/scheduler`. */
  readonly base: string;
  /** Schedule groups that exist (the CDK creates them; `default` always exists). */
  readonly groups: readonly string[];
  /** Handler names a target ARN may name. */
  readonly functions: readonly string[];
  /** Runs a handler with the schedule's Input, as an asynchronous Lambda invocation. */
  readonly invoke: (handler: string, event: unknown) => Promise<unknown>;
  /** Persist pending schedules here (`<dataDir>/schedules.json`); in memory when absent. */
  readonly file?: string;
  readonly logger: EmulatorLogger;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const bad = (message: string) => awsError(400, 'ValidationException', { Message: message });
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * EventBridge Scheduler's CreateSchedule, GetSchedule and DeleteSchedule for one-time `at()`
 * schedules with a local function target, as `SchedulerClient` calls them (rest-json,
 * `/schedules/{Name}`, errors named in `x-amzn-ErrorType`, fields as `Message`). At the time
 * it invokes the handler with `JSON.parse(Target.Input)`, to the second (AWS: within the minute).
 */
export async function createScheduler(options: SchedulerOptions) {
  const groups = new Set(['default', ...options.groups]);
  const byArn = new Map(options.functions.map((name) => [localFunctionArn(name), name]));
  const store = await createScheduleStore({
    file: options.file,
    logger: options.logger,
    fire: async (schedule) => {
      const handler = byArn.get(schedule.target.arn) ?? '';
      options.logger.info(`Scheduler ${schedule.group}/${schedule.name} -> ${handler}`);
      await options.invoke(handler, JSON.parse(schedule.target.input ?? '{}'));
    },
  });
  const prefix = `${options.base}/schedules/`;

  function create(name: string, group: string, body: Record<string, unknown>): HttpResponse {
    const target = isRecord(body.Target) ? body.Target : {};
    const window = isRecord(body.FlexibleTimeWindow) ? body.FlexibleTimeWindow : {};
    const [arn, roleArn, input] = [str(target.Arn), str(target.RoleArn), str(target.Input)];
    if (!arn || !roleArn) return bad('Target.Arn and Target.RoleArn are required.');
    if (!byArn.has(arn))
      return bad(`Target.Arn ${arn} is no local function (${localFunctionArn('<handler>')}).`);
    if (input !== undefined && !isJson(input)) return bad('Target.Input must be JSON for a Lambda target.');
    if (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')
      return bad('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
    const expression = str(body.ScheduleExpression) ?? '';
    const timezone = str(body.ScheduleExpressionTimezone);
    let fireAt: number;
    try {
      fireAt = parseAtExpression(expression, timezone);
    } catch (err) {
      return bad((err as Error).message);
    }
    const schedule: Schedule = {
      name,
      group,
      expression,
      ...(timezone !== undefined && { timezone }),
      fireAt,
      target: { arn, roleArn, ...(input !== undefined && { input }) },
      flexibleTimeWindow: window as Schedule['flexibleTimeWindow'],
      state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      actionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      ...(str(body.Description) !== undefined && { description: str(body.Description) }),
      createdAt: Date.now(),
    };
    if (!store.add(schedule))
      return awsError(409, 'ConflictException', { Message: `Schedule ${name} already exists.` });
    return awsResponse(200, { ScheduleArn: scheduleArn(schedule) });
  }

  return {
    /** Requests under this path are the scheduler's. */
    prefix: `${options.base}/`,
    handle(req: AwsRequest): HttpResponse {
      if (!['POST', 'GET', 'DELETE'].includes(req.method)) {
        return bad('The local stack serves CreateSchedule, GetSchedule and DeleteSchedule only.');
      }
      const name = decodeLoosely(req.path.startsWith(prefix) ? req.path.slice(prefix.length) : '');
      if (!NAME.test(name)) return bad(`Invalid schedule name "${name}".`);
      const body = parseBody(req.body);
      const group = (req.method === 'POST' ? str(body?.GroupName) : req.query.get('groupName')) ?? 'default';
      if (!groups.has(group)) {
        return awsError(404, 'ResourceNotFoundException', {
          Message: `Schedule group ${group} does not exist.`,
        });
      }
      if (req.method === 'POST')
        return body ? create(name, group, body) : bad('The body must be a JSON object.');
      const found = store.get(group, name);
      if (!found)
        return awsError(404, 'ResourceNotFoundException', { Message: `Schedule ${name} does not exist.` });
      if (req.method === 'DELETE') {
        store.remove(group, name);
        return awsResponse(200, {});
      }
      return awsResponse(200, describe(found));
    },
    close: () => store.close(),
  };
}

function scheduleArn(s: Schedule): string {
  return `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:schedule/${s.group}/${s.name}`;
}

/** GetSchedule's output; timestamps in epoch seconds, rest-json's default. */
function describe(s: Schedule) {
  const { arn, roleArn, input } = s.target;
  return {
    Arn: scheduleArn(s),
    GroupName: s.group,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone,
    State: s.state,
    ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow: s.flexibleTimeWindow,
    Target: { Arn: arn, RoleArn: roleArn, Input: input },
    Description: s.description,
    CreationDate: s.createdAt / 1000,
    LastModificationDate: s.createdAt / 1000,
  };
}

function parseBody(body: Buffer | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body?.length ? body.toString('utf8') : '{}');
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
