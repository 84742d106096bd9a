import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TableDef, type TableKey, tables } from '../../functions/manifest.ts';
import { deadLetterQueueOf, mappingOf, streamSources } from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './fixture.ts';
import { asList, ofType, render, type Statement } from './template.ts';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

describe('LivestreamStack: DynamoDB streams and their consumers', () => {
  it.each(Object.entries(tables) as [TableKey, TableDef][])(
    '%s: a NEW_IMAGE stream exactly when the manifest asks for one',
    (key, def) => {
      const table = synth.resourceOf(synth.built.stack.tables[key]);
      expect(table.Properties.StreamSpecification).toEqual(
        def.stream ? { StreamViewType: def.stream } : undefined,
      );
    },
  );

  // The recording flow leans on both: the sparse index lists an owner's recordings, the stream
  // wakes finishRecording for an ended stream whose upload is still open.
  it('streams: a NEW_IMAGE stream and the sparse recordings index (owner, opened at)', () => {
    const props = synth.resourceOf(synth.built.stack.tables.streams).Properties;
    expect(props.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    const indexes = asList(props.GlobalSecondaryIndexes as { IndexName: string }[]);
    expect(indexes.find((index) => index.IndexName === 'recordings')).toMatchObject({
      KeySchema: [
        { AttributeName: 'recordingOwnerId', KeyType: 'HASH' },
        { AttributeName: 'recordingOpenedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
  });

  it('finishRecording: fed from the streams table, only ended streams with an upload still open', () => {
    const props = mappingOf(synth, 'finishRecording').Properties;
    const tableId = synth.logicalId(synth.built.stack.tables.streams);
    expect(render(props.EventSourceArn)).toBe(`\${${tableId}.StreamArn}`);
    const [filter] = (props.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(JSON.parse(filter?.Pattern ?? '{}')).toEqual({
      dynamodb: {
        NewImage: { status: { S: ['ended'] }, recording: { M: { status: { S: ['uploading'] } } } },
      },
    });
  });

  it('finishLive: fed from the streams table, only ended streams that ran a live ladder', () => {
    const props = mappingOf(synth, 'finishLive').Properties;
    const tableId = synth.logicalId(synth.built.stack.tables.streams);
    expect(render(props.EventSourceArn)).toBe(`\${${tableId}.StreamArn}`);
    const [filter] = (props.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    // `exists` matches a leaf only, so it names the attribute's DynamoDB type (N).
    expect(JSON.parse(filter?.Pattern ?? '{}')).toEqual({
      dynamodb: { NewImage: { status: { S: ['ended'] }, ladderKbps: { N: [{ exists: true }] } } },
    });
  });

  it('has exactly one event source mapping per manifest stream source', () => {
    const mappings = ofType(synth.resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(streamSources().length);
  });

  it.each(streamSources().map((source) => [source.handler, source] as const))(
    '%s: fed from its table stream with the manifest batch, window, filters and partial failures',
    (handler, source) => {
      const props = mappingOf(synth, handler).Properties;
      const tableId = synth.logicalId(synth.built.stack.tables[source.table]);
      expect(render(props.EventSourceArn)).toBe(`\${${tableId}.StreamArn}`);
      expect(props).toMatchObject({
        StartingPosition: 'LATEST',
        BatchSize: source.batchSize,
        // Lambda takes whole seconds; below one it is 0 (lib/constructs/stream-sources.ts).
        MaximumBatchingWindowInSeconds: Math.floor(source.maxBatchingWindowSeconds),
        FilterCriteria: { Filters: source.filters.map((f) => ({ Pattern: JSON.stringify(f) })) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
      });
      // Bounded: the default (-1) would retry a poison batch for the stream's whole 24 h.
      expect(props.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
      expect(props.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    },
  );

  it.each(streamSources().map((source) => [source.handler] as const))(
    '%s: failed batches go to an encrypted, TLS-only dead-letter queue',
    (handler) => {
      const queueId = deadLetterQueueOf(synth, handler);
      const queue = synth.resources[queueId];
      expect(queue?.Type).toBe('AWS::SQS::Queue');
      expect(queue?.Properties.SqsManagedSseEnabled).toBe(true);
      const policies = ofType(synth.resources, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        asList(p.Properties.Queues).some((q) => render(q) === `\${${queueId}}`),
      );
      const statements = policies.flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    },
  );

  it.each(streamSources().map((source) => [source.handler] as const))(
    "%s: the mapping waits for its role's policy (CloudFormation checks stream access on create)",
    (handler) => {
      const mapping = mappingOf(synth, handler);
      const role = synth.logicalId(synth.built.stack.functions[handler].role);
      const policy = ofType(synth.resources, 'AWS::IAM::Policy').find(([, p]) =>
        asList(p.Properties.Roles).some((r) => render(r) === `\${${role}}`),
      );
      expect(mapping.DependsOn).toEqual(expect.arrayContaining([role, policy?.[0]]));
    },
  );
});
