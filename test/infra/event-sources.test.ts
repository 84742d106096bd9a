import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSources, type HandlerName } from '../../functions/manifest.ts';
import { asyncDeadLetterQueueOf, asyncHandlers, invokeConfigOf, recordingsBucketOf } from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './fixture.ts';
import { asList, mentions, ofType, onlyOf, render, type Statement } from './template.ts';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

const s3Sources = () => eventSources.filter((source) => source.kind === 's3');
const ruleSources = () => eventSources.filter((source) => source.kind === 'eventbridge');

const queuePolicyStatements = (queueId: string): Statement[] =>
  ofType(synth.resources, 'AWS::SQS::QueuePolicy')
    .filter(([, p]) => asList(p.Properties.Queues).some((q) => render(q) === `\${${queueId}}`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

/** Lambda permissions on `handler`'s function, as `principal sourceArn`. */
const invokePermissions = (handler: HandlerName) =>
  ofType(synth.resources, 'AWS::Lambda::Permission')
    .filter(([, p]) => mentions(p.Properties.FunctionName, synth.functionId(handler)))
    .map(([, p]) => `${String(p.Properties.Principal)} ${render(p.Properties.SourceArn)}`);

describe('LivestreamStack: manifest event sources', () => {
  // lib/ builds each kind by filtering on it, so a new kind would be skipped without a word.
  it('uses only the kinds the stack builds (schedule, dynamodb-stream, s3, eventbridge)', () => {
    const built = ['schedule', 'dynamodb-stream', 's3', 'eventbridge'];
    expect(eventSources.map((source) => source.kind).filter((kind) => !built.includes(kind))).toEqual([]);
  });
});

describe('LivestreamStack: S3 event notifications', () => {
  it('configures exactly the manifest s3 sources on the recordings bucket (events, prefix, function)', () => {
    const [, notifications] = onlyOf(synth.resources, 'Custom::S3BucketNotifications');
    expect(render(notifications.Properties.BucketName)).toBe(`\${${recordingsBucketOf(synth)}}`);
    const config = notifications.Properties.NotificationConfiguration as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(['LambdaFunctionConfigurations']);
    const expected = s3Sources().flatMap((source) =>
      source.events.map((event) => ({
        Events: [event],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: source.prefix }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [synth.functionId(source.handler), 'Arn'] },
      })),
    );
    expect(config.LambdaFunctionConfigurations).toEqual(expected);
  });

  it.each(s3Sources().map((source) => [source.handler] as const))(
    '%s: may be invoked by S3 for the recordings bucket, in this account only',
    (handler) => {
      expect(invokePermissions(handler)).toEqual([`s3.amazonaws.com \${${recordingsBucketOf(synth)}.Arn}`]);
      const [, permission] =
        ofType(synth.resources, 'AWS::Lambda::Permission').find(([, p]) =>
          mentions(p.Properties.FunctionName, synth.functionId(handler)),
        ) ?? [];
      expect(permission?.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    },
  );
});

describe('LivestreamStack: EventBridge rules', () => {
  const ruleOf = (handler: HandlerName) => {
    const found = ofType(synth.resources, 'AWS::Events::Rule').filter(([, rule]) =>
      mentions(rule.Properties.Targets, synth.functionId(handler)),
    );
    if (found.length !== 1 || !found[0])
      throw new Error(`expected one rule for ${handler}, found ${found.length}`);
    return found[0];
  };

  it('has exactly one rule per manifest eventbridge source', () => {
    expect(ofType(synth.resources, 'AWS::Events::Rule')).toHaveLength(ruleSources().length);
  });

  it.each(ruleSources().map((source) => [source.handler, source] as const))(
    '%s: on the default bus, with exactly the manifest pattern, one target: its function',
    (handler, source) => {
      const [, rule] = ruleOf(handler);
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.EventPattern).toEqual(source.pattern);
      const targets = rule.Properties.Targets as Record<string, unknown>[];
      expect(targets.map((t) => render(t.Arn))).toEqual([`\${${synth.functionId(handler)}.Arn}`]);
    },
  );

  it.each(ruleSources().map((source) => [source.handler] as const))(
    '%s: bounded retries, then a dead-letter queue that only this rule may send to',
    (handler) => {
      const [ruleId, rule] = ruleOf(handler);
      const [target] = rule.Properties.Targets as {
        RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
        DeadLetterConfig: { Arn: unknown };
      }[];
      expect(target?.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target?.RetryPolicy.MaximumRetryAttempts).toBeLessThanOrEqual(185);
      expect(target?.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(6 * 3600);
      // The same queue as the function's failed asynchronous invocations.
      const queueId = asyncDeadLetterQueueOf(synth, handler);
      expect(render(target?.DeadLetterConfig.Arn)).toBe(`\${${queueId}.Arn}`);
      const allows = queuePolicyStatements(queueId).filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
        }),
      ]);
      expect(invokePermissions(handler)).toEqual([`events.amazonaws.com \${${ruleId}.Arn}`]);
    },
  );
});

describe('LivestreamStack: asynchronously invoked handlers', () => {
  it.each(asyncHandlers().map((handler) => [handler] as const))(
    '%s: failed invocations go, after bounded retries, to an encrypted, TLS-only queue',
    (handler) => {
      const config = invokeConfigOf(synth, handler).Properties;
      expect(config.MaximumRetryAttempts).toBeLessThanOrEqual(2);
      const queueId = asyncDeadLetterQueueOf(synth, handler);
      const queue = synth.resources[queueId];
      expect(queue?.Type).toBe('AWS::SQS::Queue');
      expect(queue?.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queuePolicyStatements(queueId)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    },
  );

  it('gives every asynchronously invoked handler its own queue', () => {
    const queues = asyncHandlers().map((handler) => asyncDeadLetterQueueOf(synth, handler));
    expect(new Set(queues).size).toBe(queues.length);
  });
});
