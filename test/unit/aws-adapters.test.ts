import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayConnectionSender } from '../../functions/adapters/connection-sender.ts';
import { loadTicketSecret } from '../../functions/adapters/ticket-secret.ts';
import { EventBridgeWatchdogScheduler } from '../../functions/adapters/watchdog-scheduler.ts';

const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });

describe('ApiGatewayConnectionSender', () => {
  const client = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'https://x' });
  const api = mockClient(client);
  const sender = new ApiGatewayConnectionSender('https://x', client);
  beforeEach(() => api.reset());

  it('posts the frame as JSON to the connection', async () => {
    api.on(PostToConnectionCommand).resolves({});
    expect(await sender.send('c1', { event: 'chat:deleted', data: { id: 'a' } })).toBe('sent');
    const input = api.commandCalls(PostToConnectionCommand)[0]?.args[0].input;
    expect(input?.ConnectionId).toBe('c1');
    expect(JSON.parse(Buffer.from(input?.Data as Uint8Array).toString())).toEqual({
      event: 'chat:deleted',
      data: { id: 'a' },
    });
  });

  it('answers gone for a GoneException, so the caller removes that target', async () => {
    api.on(PostToConnectionCommand).rejects(awsError('GoneException'));
    expect(await sender.send('c1', { event: 'chat:deleted', data: { id: 'a' } })).toBe('gone');
    api.on(DeleteConnectionCommand).rejects(awsError('GoneException'));
    await expect(sender.close('c1')).resolves.toBeUndefined();
  });

  it('lets other failures through', async () => {
    api.on(PostToConnectionCommand).rejects(awsError('LimitExceededException'));
    await expect(sender.send('c1', { event: 'chat:deleted', data: { id: 'a' } })).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });
});

describe('EventBridgeWatchdogScheduler', () => {
  const client = new SchedulerClient({ region: 'us-east-1' });
  const scheduler = mockClient(client);
  const target = { functionArn: 'arn:fn', roleArn: 'arn:role', group: 'stream-watchdog' };
  beforeEach(() => scheduler.reset());

  it('creates a one-off, self-deleting schedule, never early, that invokes the watchdog with the check', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:s' });
    const at = Date.UTC(2026, 10, 24, 13, 5, 7, 450);
    await new EventBridgeWatchdogScheduler(target, client).scheduleCheck({ streamId: 's1', goneAt: 42 }, at);
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'stream-s1-42',
      GroupName: 'stream-watchdog',
      ScheduleExpression: 'at(2026-11-24T13:05:08)', // 07.450 rounded up
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: 'arn:fn', RoleArn: 'arn:role', Input: '{"streamId":"s1","goneAt":42}' },
    });
  });

  it('treats an existing schedule for the same drop as done (a retried $disconnect)', async () => {
    scheduler.on(CreateScheduleCommand).rejects(awsError('ConflictException'));
    await expect(
      new EventBridgeWatchdogScheduler(target, client).scheduleCheck({ streamId: 's1', goneAt: 42 }, 0),
    ).resolves.toBeUndefined();
  });
});

describe('loadTicketSecret', () => {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const secrets = mockClient(client);
  const saved = { ...process.env };
  beforeEach(() => {
    secrets.reset();
    delete process.env.SIGNALING_SECRET;
    process.env.SIGNALING_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:1:secret:sig';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the secret from Secrets Manager by ARN on AWS', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
    expect(await loadTicketSecret(client)).toBe('k'.repeat(64));
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:sig',
    });
  });

  it('refuses a secret too short to sign with, at cold start', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(loadTicketSecret(client)).rejects.toThrow(/at least 32 characters/);
  });

  it('uses SIGNALING_SECRET directly on the local stack, without calling AWS', async () => {
    process.env.SIGNALING_SECRET = 'l'.repeat(43);
    expect(await loadTicketSecret(client)).toBe('l'.repeat(43));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
