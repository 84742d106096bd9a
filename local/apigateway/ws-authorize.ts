import type { EmulatorLogger } from '../constants.ts';
import { type HandlerLoader, invokeHandler } from '../lambda/invoke.ts';
import { findHeader, ownValue } from './request-maps.ts';
import {
  type AuthorizerView,
  authorizerEvent,
  type UpgradeParts,
  type WsConnectionInfo,
} from './ws-events.ts';

/** The manifest's `webSocketAuthorizer`: a REQUEST authorizer on `$connect`. */
export interface WsAuthorizerConfig {
  readonly handler: string;
  /** Comma-separated `route.request.querystring.<name>` / `route.request.header.<name>`. */
  readonly identitySource: string;
}

export type AuthorizeOutcome =
  | { readonly allowed: true; readonly authorizer: AuthorizerView }
  | { readonly allowed: false; readonly statusCode: 401 | 403 | 500 };

const DENIED = { allowed: false, statusCode: 403 } as const;
const BROKEN = { allowed: false, statusCode: 500 } as const;

/**
 * API Gateway's authorizer step of a WebSocket upgrade: 401 without the identity sources (the
 * function is not called), 401 when it throws `Error('Unauthorized')`, 403 unless its policy
 * allows `execute-api:Invoke` on `methodArn` (an explicit Deny wins), 500 for anything else
 * (another error, a malformed answer, a context value that is an object).
 */
export async function authorizeUpgrade(
  config: WsAuthorizerConfig,
  request: { conn: WsConnectionInfo; upgrade: UpgradeParts; methodArn: string },
  runtime: { loadHandler: HandlerLoader; timeoutMs: number; logger: EmulatorLogger },
): Promise<AuthorizeOutcome> {
  if (!hasIdentity(config.identitySource, request.upgrade)) return { allowed: false, statusCode: 401 };
  const started = Date.now();
  let result: unknown;
  try {
    const event = authorizerEvent(request.conn, request.upgrade, request.methodArn);
    result = await invokeHandler(runtime.loadHandler, config.handler, event, runtime.timeoutMs);
  } catch (err) {
    if (err instanceof Error && err.message === 'Unauthorized') return { allowed: false, statusCode: 401 };
    runtime.logger.error(`${config.handler} failed (connection ${request.conn.connectionId})`, err);
    return BROKEN;
  }
  const answer = isRecord(result) ? result : {};
  const context = stringifyContext(answer.context ?? {});
  const effect = evaluatePolicy(answer.policyDocument, request.methodArn);
  if (typeof answer.principalId !== 'string' || !context || !effect) {
    runtime.logger.error(`${config.handler} returned a malformed authorizer response`, result);
    return BROKEN;
  }
  if (effect !== 'Allow') return DENIED;
  return {
    allowed: true,
    authorizer: { ...context, principalId: answer.principalId, integrationLatency: Date.now() - started },
  };
}

function hasIdentity(identitySource: string, upgrade: UpgradeParts): boolean {
  return identitySource.split(',').every((source) => {
    const [, kind, name = ''] = /^route\.request\.(querystring|header)\.(.+)$/.exec(source.trim()) ?? [];
    const value =
      kind === 'header' ? findHeader(upgrade.headers.single, name) : ownValue(upgrade.query?.single, name);
    return value !== undefined && value !== '';
  });
}

/** Strings, numbers and booleans become strings, null stays null; an object or array is invalid. */
function stringifyContext(context: unknown): Record<string, string | null> | undefined {
  if (!isRecord(context)) return undefined;
  const entries: [string, string | null][] = [];
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object') return undefined;
    entries.push([key, value === null ? null : String(value)]);
  }
  return Object.fromEntries(entries);
}

/** IAM evaluation for one action on one resource: explicit Deny, else Allow, else implicit deny. */
function evaluatePolicy(policy: unknown, methodArn: string): 'Allow' | 'Deny' | undefined {
  if (!isRecord(policy)) return undefined;
  const statements = [policy.Statement].flat();
  if (statements.length === 0 || !statements.every(isRecord)) return undefined;
  const applies = (s: Record<string, unknown>) =>
    [s.Action].flat().some((a) => typeof a === 'string' && /^(execute-api:(invoke|\*)|\*)$/i.test(a)) &&
    [s.Resource].flat().some((r) => typeof r === 'string' && wildcard(r).test(methodArn));
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return 'Deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allow' : 'Deny';
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
