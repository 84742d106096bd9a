import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAtExpression } from '../../../local/scheduler/schedule-expression.ts';
import { calls, eventually, invocations } from '../apigateway/fixtures/ws-recorder.ts';
import { startGateway, type TestGateway } from '../apigateway/gateway-harness.ts';

/** `at()` for `ms` from now, UTC, rounded up to the next whole second. */
const atIn = (ms: number) =>
  `at(${new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().slice(0, 19)})`;
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:scheduledJob';

const schedule = (
  name: string,
  extra: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput => ({
  Name: name,
  GroupName: 'jobs',
  ScheduleExpression: atIn(1_000),
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: TARGET,
    RoleArn: 'arn:aws:iam::000000000000:role/local-scheduler',
    Input: '{"streamId":"s1"}',
  },
  ActionAfterCompletion: 'DELETE',
  ...extra,
});

const errorName = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: Error) => err.name,
  );

describe('Scheduler stand-in with the real SchedulerClient', () => {
  let gw: TestGateway;
  let client: SchedulerClient;
  beforeAll(async () => {
    gw = await startGateway();
    client = new SchedulerClient({
      endpoint: gw.schedulerUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await gw.close();
  });
  beforeEach(() => {
    invocations.length = 0;
  });

  it('invokes the target with the parsed Input at the at() time, then deletes the schedule', async () => {
    const expression = atIn(1_000);
    const out = await client.send(
      new CreateScheduleCommand(schedule('watch-s1', { ScheduleExpression: expression })),
    );

    expect(out.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/watch-s1');
    expect(
      await errorName(client.send(new GetScheduleCommand({ Name: 'watch-s1', GroupName: 'jobs' }))),
    ).toBe('ok');
    const [run] = await eventually(() => {
      expect(calls('scheduled')).toHaveLength(1);
      return calls('scheduled');
    }, 3_000);

    expect(run).toMatchObject({ functionName: 'scheduledJob', event: { streamId: 's1' } });
    expect(run?.at).toBeGreaterThanOrEqual(parseAtExpression(expression));
    expect(
      await errorName(client.send(new GetScheduleCommand({ Name: 'watch-s1', GroupName: 'jobs' }))),
    ).toBe('ResourceNotFoundException');
  });

  it('keeps a schedule without ActionAfterCompletion DELETE after it ran: its name stays taken', async () => {
    await client.send(
      new CreateScheduleCommand(
        schedule('kept', { ScheduleExpression: atIn(0), ActionAfterCompletion: 'NONE' }),
      ),
    );
    await eventually(() => expect(calls('scheduled')).toHaveLength(1));

    expect(await errorName(client.send(new CreateScheduleCommand(schedule('kept'))))).toBe(
      'ConflictException',
    );
    await client.send(new DeleteScheduleCommand({ Name: 'kept', GroupName: 'jobs' }));
    expect(await errorName(client.send(new CreateScheduleCommand(schedule('kept'))))).toBe('ok');
    await client.send(new DeleteScheduleCommand({ Name: 'kept', GroupName: 'jobs' }));
  });

  it('never runs a schedule deleted before its time', async () => {
    await client.send(new CreateScheduleCommand(schedule('cancelled', { ScheduleExpression: atIn(300) })));
    await client.send(new DeleteScheduleCommand({ Name: 'cancelled', GroupName: 'jobs' }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(calls('scheduled')).toHaveLength(0);
  });

  it.each([
    ['a rate() expression', { ScheduleExpression: 'rate(5 minutes)' }, 'ValidationException'],
    ['a malformed at()', { ScheduleExpression: 'at(2030-02-30T00:00:00)' }, 'ValidationException'],
    ['an unknown time zone', { ScheduleExpressionTimezone: 'Mars/Olympus' }, 'ValidationException'],
    [
      'a target that is no local function',
      { Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:nope', RoleArn: 'r' } },
      'ValidationException',
    ],
    ['no RoleArn', { Target: { Arn: TARGET, RoleArn: '' } }, 'ValidationException'],
    [
      'an Input that is not JSON',
      { Target: { Arn: TARGET, RoleArn: 'r', Input: '{' } },
      'ValidationException',
    ],
    ['a group that does not exist', { GroupName: 'nope' }, 'ResourceNotFoundException'],
    ['a bad name', { Name: 'has space' }, 'ValidationException'],
  ])('refuses %s', async (_case, extra, name) => {
    const input = { ...schedule('refused'), ...extra } as CreateScheduleCommandInput;

    expect(await errorName(client.send(new CreateScheduleCommand(input)))).toBe(name);
  });

  it('answers ConflictException for a name taken in the group, and is fine in another group', async () => {
    await client.send(new CreateScheduleCommand(schedule('twice', { ScheduleExpression: atIn(60_000) })));

    expect(await errorName(client.send(new CreateScheduleCommand(schedule('twice'))))).toBe(
      'ConflictException',
    );
    expect(
      await errorName(client.send(new CreateScheduleCommand(schedule('twice', { GroupName: 'default' })))),
    ).toBe('ok');
    expect(
      await errorName(client.send(new DeleteScheduleCommand({ Name: 'twice', GroupName: 'jobs' }))),
    ).toBe('ok');
    expect(
      await errorName(client.send(new DeleteScheduleCommand({ Name: 'twice', GroupName: 'jobs' }))),
    ).toBe('ResourceNotFoundException');
  });
});

describe('Scheduler stand-in lifecycle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-scheduler-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(() => {
    invocations.length = 0;
  });

  const clientFor = (gw: TestGateway) =>
    new SchedulerClient({
      endpoint: gw.schedulerUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

  it('clears its timers on close: nothing fires after the stack stopped', async () => {
    const gw = await startGateway();
    await clientFor(gw).send(new CreateScheduleCommand(schedule('late', { ScheduleExpression: atIn(200) })));
    await gw.close();
    await new Promise((resolve) => setTimeout(resolve, 1_300));

    expect(calls('scheduled')).toHaveLength(0);
  });

  it('keeps pending schedules in the data directory and fires them after a restart', async () => {
    const file = join(dir, 'schedules.json');
    const first = await startGateway({ schedulesFile: file });
    await clientFor(first).send(
      new CreateScheduleCommand(schedule('survivor', { ScheduleExpression: atIn(1_000) })),
    );
    await first.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject([{ name: 'survivor', group: 'jobs' }]);

    const second = await startGateway({ schedulesFile: file });
    await eventually(() => expect(calls('scheduled')).toHaveLength(1), 3_000);
    await second.close();

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([]);
  });
});

describe('parseAtExpression', () => {
  it('reads at() as UTC by default and as wall-clock time in a given zone', () => {
    expect(parseAtExpression('at(2025-01-15T12:00:00)')).toBe(Date.parse('2025-01-15T12:00:00Z'));
    expect(parseAtExpression('at(2025-01-15T12:00:00)', 'Europe/Paris')).toBe(
      Date.parse('2025-01-15T11:00:00Z'),
    );
    expect(parseAtExpression('at(2025-07-15T12:00:00)', 'America/New_York')).toBe(
      Date.parse('2025-07-15T16:00:00Z'),
    );
  });
});
