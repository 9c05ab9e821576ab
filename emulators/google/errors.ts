/**
 * Google's API error JSON, as the Gmail API answers it:
 * `{"error":{"code","message","errors":[{"message","domain","reason",…}],"status"}}`, with an
 * optional `details` list of `google.rpc.ErrorInfo`. Shapes and messages follow Gmail's error
 * guide and answers recorded in public issue threads (429 RESOURCE_EXHAUSTED with reason
 * rateLimitExceeded; 403 "Quota exceeded for quota metric 'Queries' …" in domain usageLimits).
 */
export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status: string; details?: unknown[] };
}

/** The challenge Google sends with a 401 from its APIs. */
const AUTH_CHALLENGE = 'Bearer realm="https://accounts.google.com/", error="invalid_token"';

const QUOTA_MESSAGE =
  "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:0'.";

interface Reason {
  message: string;
  /** The canonical status, where the HTTP code alone does not say it (the 400 family). */
  status?: string;
  domain: string;
  extra?: Partial<GoogleErrorItem>;
  /** The top-level message when it differs from the item's. */
  topMessage?: string;
  headers?: Record<string, string>;
}

/** What each reason reads like: the item message, its domain, and the headers that go with it. */
const REASONS: Record<string, Reason> = {
  badRequest: { message: 'Bad Request', status: 'INVALID_ARGUMENT', domain: 'global' },
  invalidArgument: { message: 'Invalid value', status: 'INVALID_ARGUMENT', domain: 'global' },
  failedPrecondition: { message: 'Precondition check failed.', status: 'FAILED_PRECONDITION', domain: 'global' },
  authError: {
    message: 'Invalid Credentials',
    topMessage:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    domain: 'global',
    extra: { location: 'Authorization', locationType: 'header' },
    headers: { 'WWW-Authenticate': AUTH_CHALLENGE },
  },
  insufficientPermissions: { message: 'Insufficient Permission', topMessage: 'Request had insufficient authentication scopes.', domain: 'global' },
  forbidden: { message: 'Forbidden', domain: 'global' },
  rateLimitExceeded: { message: QUOTA_MESSAGE, domain: 'usageLimits' },
  userRateLimitExceeded: { message: 'User Rate Limit Exceeded', domain: 'usageLimits' },
  dailyLimitExceeded: { message: 'Daily Limit Exceeded', domain: 'usageLimits' },
  notFound: { message: 'Requested entity was not found.', domain: 'global' },
  backendError: { message: 'Backend Error', domain: 'global' },
};

/** The reason a bare status gets. */
const DEFAULT_REASON: Record<number, string> = {
  400: 'badRequest',
  401: 'authError',
  403: 'insufficientPermissions',
  404: 'notFound',
  429: 'rateLimitExceeded',
  500: 'backendError',
  503: 'backendError',
};

/** Canonical statuses by HTTP code (google.rpc.Code names). */
const STATUS_BY_CODE: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** A Google error body; `message` overrides the reason's usual text. */
export function googleError(code: number, reason: string, message?: string, details?: unknown[]): GoogleErrorBody {
  const known = REASONS[reason];
  const itemMessage = message ?? known?.message ?? 'Unknown Error.';
  const status = STATUS_BY_CODE[code] ?? known?.status ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return {
    error: {
      code,
      message: message ?? known?.topMessage ?? itemMessage,
      errors: [{ message: itemMessage, domain: known?.domain ?? 'global', reason, ...known?.extra }],
      status,
      ...(details ? { details } : {}),
    },
  };
}

/** Headers that go with a reason (the 401 challenge). */
export function googleErrorHeaders(reason: string): Record<string, string> | undefined {
  return REASONS[reason]?.headers;
}

/** The body and headers the Gmail API answers a status with (for injected faults). */
export function googleErrorResponse(status: number, reason?: string): { body: GoogleErrorBody; headers?: Record<string, string> } {
  const chosen = reason ?? DEFAULT_REASON[status] ?? (status >= 500 ? 'backendError' : 'badRequest');
  return { body: googleError(status, chosen), headers: googleErrorHeaders(chosen) };
}

/** The error JSON of Google's OAuth endpoints (token, revoke): RFC 6749 fields only. */
export function oauthError(error: string, description: string): { error: string; error_description: string } {
  return { error, error_description: description };
}
