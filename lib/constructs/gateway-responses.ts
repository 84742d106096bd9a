import * as apigateway from 'aws-cdk-lib/aws-apigateway';

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
const RESPONSES: readonly ErrorResponse[] = [
  {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, // what API Gateway returns for an unknown route
    status: '404',
    code: 'ROUTE_NOT_FOUND',
    message: quoted('No route matches this method and path'),
  },
  {
    type: apigateway.ResponseType.THROTTLED,
    status: '429',
    code: 'THROTTLED',
    message: quoted('Too many requests, retry later'),
    headers: { 'Retry-After': "'1'" },
  },
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    status: '413',
    code: 'PAYLOAD_TOO_LARGE',
    message: quoted('Request body is too large'),
  },
  // Any other gateway 4xx keeps its status; its message is API Gateway's, already JSON-escaped.
  {
    type: apigateway.ResponseType.DEFAULT_4XX,
    code: 'REQUEST_REJECTED',
    message: '$context.error.messageString',
  },
  // No internals in a 5xx (integration failures, timeouts): a fixed message only.
  { type: apigateway.ResponseType.DEFAULT_5XX, code: 'INTERNAL', message: quoted('Internal error') },
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
