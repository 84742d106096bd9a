import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { gatewayErrors } from '../../functions/manifest.ts';

interface ErrorResponse {
  readonly type: apigateway.ResponseType;
  readonly status?: string;
  readonly code: string;
  /** A JSON string literal, or a `$context` variable that renders as one. */
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const quoted = (text: string): string => JSON.stringify(text);

// Errors API Gateway produces itself (before any Lambda runs), in the service's error body shape.
const fixed = (
  type: apigateway.ResponseType,
  error: { statusCode: number; code: string; message: string },
) => ({
  type,
  status: String(error.statusCode),
  code: error.code,
  message: quoted(error.message),
});

const RESPONSES: readonly ErrorResponse[] = [
  // What API Gateway answers for an unknown method or path.
  fixed(apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, gatewayErrors.routeNotFound),
  { ...fixed(apigateway.ResponseType.THROTTLED, gatewayErrors.throttled), headers: { 'Retry-After': "'1'" } },
  fixed(apigateway.ResponseType.REQUEST_TOO_LARGE, gatewayErrors.payloadTooLarge),
  // Any other gateway 4xx keeps its status; its message is API Gateway's, already JSON-escaped.
  {
    type: apigateway.ResponseType.DEFAULT_4XX,
    code: 'REQUEST_REJECTED',
    message: '$context.error.messageString',
  },
  // No internals in a 5xx (integration failures, timeouts): a fixed message, each keeping its status.
  { ...fixed(apigateway.ResponseType.DEFAULT_5XX, gatewayErrors.internal), status: undefined },
];

/** Adds the gateway responses; each carries the CORS header, so browsers can read the error. */
export function addErrorResponses(api: apigateway.RestApi): void {
  for (const response of RESPONSES) {
    api.addGatewayResponse(response.code, {
      type: response.type,
      statusCode: response.status,
      responseHeaders: { 'Access-Control-Allow-Origin': "'*'", ...response.headers },
      templates: {
        'application/json': `{"error":{"code":${quoted(response.code)},"message":${response.message}}}`,
      },
    });
  }
}
