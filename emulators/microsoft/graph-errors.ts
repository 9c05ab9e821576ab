import { randomUUID } from 'node:crypto';

/**
 * Graph's error JSON: `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`,
 * as documented for Microsoft Graph errors and returned by the mail endpoints.
 */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

/** The WWW-Authenticate challenge Graph sends with a 401. */
export const GRAPH_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** Builds an error body; the request ids also go out as response headers. */
export function graphError(code: string, message: string, clientRequestId?: string): GraphErrorBody {
  const requestId = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: {
        // Graph prints this one without a zone or fractions.
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

export const MESSAGES = {
  expired: 'Access token has expired or is not yet valid.',
  empty: 'Access token is empty.',
  malformed:
    "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
  invalid: 'Access token validation failure. Invalid audience.',
  denied: 'Access is denied. Check credentials and try again.',
  notFound: 'The specified object was not found in the store.',
  syncState: 'The sync state generation is not found. The delta or skip token has expired or is unknown; start a new sync.',
  throttled: 'Too many requests',
  concurrency: 'Application is over its MailboxConcurrency limit.',
  rate: 'Application is over its request rate limit (ApplicationThrottled).',
} as const;

interface Default {
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const DEFAULTS: Record<number, Default> = {
  400: { code: 'BadRequest', message: 'Invalid request.' },
  401: { code: 'InvalidAuthenticationToken', message: MESSAGES.expired, headers: { 'WWW-Authenticate': GRAPH_CHALLENGE } },
  403: { code: 'ErrorAccessDenied', message: MESSAGES.denied },
  404: { code: 'ErrorItemNotFound', message: MESSAGES.notFound },
  410: { code: 'SyncStateNotFound', message: MESSAGES.syncState },
  429: { code: 'TooManyRequests', message: MESSAGES.throttled, headers: { 'Retry-After': '1' } },
  500: { code: 'generalException', message: 'General exception while processing.' },
  503: { code: 'ServiceUnavailable', message: 'The service is currently unavailable. Please try again later.', headers: { 'Retry-After': '1' } },
  504: { code: 'GatewayTimeout', message: 'The gateway did not receive a timely response from the upstream server.' },
};

/** Messages for reasons a test may name, so an injected fault reads like the real one. */
const REASON_MESSAGES: Record<string, string> = {
  MailboxConcurrency: MESSAGES.concurrency,
  ApplicationThrottled: MESSAGES.rate,
  InvalidAuthenticationToken: MESSAGES.expired,
  ErrorAccessDenied: MESSAGES.denied,
  ErrorItemNotFound: MESSAGES.notFound,
  SyncStateNotFound: MESSAGES.syncState,
  resyncRequired: 'Resync required. Replace any local items with the server items to avoid duplicates.',
  ErrorInternalServerError: 'An internal server error occurred. The operation failed.',
};

/** The body and headers Graph answers a status with; `reason` replaces the error code. */
export function graphErrorResponse(status: number, reason?: string): { body: GraphErrorBody; headers?: Record<string, string> } {
  const base = DEFAULTS[status] ?? { code: status >= 500 ? 'UnknownError' : 'BadRequest', message: 'The request failed.' };
  const code = reason ?? base.code;
  const message = (reason && REASON_MESSAGES[reason]) ?? base.message;
  const body = graphError(code, message);
  return { body, headers: { ...base.headers, 'request-id': body.error.innerError['request-id'] } };
}
