import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type HandlerDef, type TableGrant, tables } from '../../functions/manifest.ts';
import type { Tables } from './data.ts';

const indexArns = (grant: TableGrant, tableArn: string): string[] => {
  const known: readonly { readonly name: string }[] = tables[grant.table].indexes;
  return (grant.indexes ?? []).map((name) => {
    if (!known.some((index) => index.name === name)) {
      throw new Error(`Grant names index '${name}', which table '${grant.table}' does not have`);
    }
    return `${tableArn}/index/${name}`;
  });
};

/**
 * Turns a handler's manifest grants into IAM statements: exactly `dynamodb:<Action>` for each
 * listed action, on the table's ARN (BatchGetItem too: IAM checks it per table, like GetItem). A
 * grant with `indexes` scopes `Query` to those indexes' ARNs only (no Query on the base table).
 * No wildcards, no `grantReadWriteData`.
 */
export function grantsFromManifest(fn: IFunction, handler: HandlerDef, data: Tables): void {
  for (const grant of handler.grants) {
    const tableArn = data[grant.table].tableArn;
    const indexes = indexArns(grant, tableArn);
    if (indexes.length > 0 && !grant.actions.includes('Query')) {
      throw new Error(`Grant on '${grant.table}' names indexes but not the Query action`);
    }
    const onTable = grant.actions.filter((action) => indexes.length === 0 || action !== 'Query');
    if (onTable.length > 0) {
      const actions = onTable.map((action) => `dynamodb:${action}`);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [tableArn] }));
    }
    if (indexes.length > 0) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes }));
    }
  }
}
