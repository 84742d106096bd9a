import { documentClient } from '../../functions/adapters/dynamo.ts';

// The document client sends through the base client, whose command names these are.
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/**
 * Counts the DynamoDB commands the in-process handlers send, by an SDK middleware on their shared
 * client. Used by the relay-cost test and by `npm run bench`. Install once per process.
 */
export function countDynamoCommands() {
  let reads = 0;
  let writes = 0;
  const names: string[] = [];
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      names.push(name);
      if (READS.has(name)) reads++;
      else writes++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  return {
    /** Reads, writes and command names since the last take. */
    take(): { reads: number; writes: number; names: string[] } {
      const taken = { reads, writes, names: names.splice(0) };
      reads = 0;
      writes = 0;
      return taken;
    },
  };
}
