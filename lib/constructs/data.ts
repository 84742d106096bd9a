import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyDef, type TableDef, type TableKey, tables } from '../../functions/manifest.ts';

export type Tables = Record<TableKey, dynamodb.TableV2>;

const attribute = (key: KeyDef): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/** One DynamoDB table per manifest table; keys, indexes, TTL and stream come from the manifest only. */
export class DataTables extends Construct {
  readonly tables: Tables;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const entries = Object.entries(tables) as [TableKey, TableDef][];
    this.tables = Object.fromEntries(entries.map(([key, def]) => [key, this.table(def)])) as Tables;
  }

  private table(def: TableDef): dynamodb.TableV2 {
    // Construct id = the manifest's logical name, so logical ids stay stable when keys are reordered.
    return new dynamodb.TableV2(this, def.name, {
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey && attribute(def.sortKey),
      // On-demand: livestream traffic is spiky (a popular go-live) and idle most of the day.
      billing: dynamodb.Billing.onDemand(),
      // AWS-managed KMS key rather than the DynamoDB-owned default: key use shows up in CloudTrail.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Production data (streams, viewing history, chat) must survive a mistaken `cdk destroy`
      // or a logical-id change; the ephemeral connections table gets the same rule for simplicity.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: def.ttlAttribute,
      // Only what the manifest asks for: a stream costs nothing idle, but every reader is a consumer.
      dynamoStream: def.stream === 'NEW_IMAGE' ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
      globalSecondaryIndexes: def.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey && attribute(index.sortKey),
        // ALL: the index queries (live list, owner list) return whole items without a second read.
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }
}
