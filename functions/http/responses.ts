import type { APIGatewayProxyResult } from 'aws-lambda';

export type HttpResult = APIGatewayProxyResult;

const BASE_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // Responses carry per-user and fast-changing data; API Gateway has no cache in front.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // Lambda proxy integrations must send CORS headers themselves; preflight is API Gateway's.
  'Access-Control-Allow-Origin': '*',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export const ok = (body: unknown) => json(200, body);
export const created = (body: unknown) => json(201, body);
