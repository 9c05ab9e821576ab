import { randomUUID } from 'node:crypto';

/** The Microsoft identity platform's token-endpoint error JSON (RFC 6749 fields plus AAD's own). */
export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** AAD prints its timestamps as "2024-05-01 10:00:00Z". */
function aadTimestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** An AAD error; `description` starts without the AADSTS code, which is prefixed here. */
export function aadError(error: string, code: number, description: string): AadErrorBody {
  const timestamp = aadTimestamp();
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

/** .NET TimeSpan text, as AAD writes lifetimes: "1.00:00:00" for a day, "00:00:05" for 5 s. */
export function timeSpan(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((seconds % 86_400) / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}
