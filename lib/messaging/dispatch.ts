import type { z } from 'zod';
import { describeFailure } from '../async';
import { MatchPattern } from 'wxt/utils/match-patterns';
import { type Envelope, MessagingError, type Protocol, type ProtocolMap } from './protocol';

/** The fields of Chrome's `runtime.MessageSender` that decide whether a sender is trusted. */
export interface Sender {
  id?: string;
  url?: string;
  frameId?: number;
  tab?: { id?: number };
}

/**
 * Who may talk to the background: this extension's pages, and its content scripts on webmail.
 * The content scripts send nothing today (the sidebar frame, an extension page, sends for them);
 * their trust stays for non-`pagesOnly` messages.
 */
export interface Trust {
  extensionId: string;
  extensionOrigin: string;
  contentScriptMatches: readonly string[];
}

/** One handler per message of a protocol map: the validated input in, the answer out. */
export type HandlersOf<P extends ProtocolMap> = {
  [K in keyof P]: (input: z.output<P[K]['input']>, sender: Sender) => Promise<z.output<P[K]['output']>>;
};

/** The background's handlers for the protocol. */
export type Handlers = HandlersOf<Protocol>;

/**
 * Why a sender is refused, or null when it is trusted. A message from a tab must come from a
 * content script's top frame on a webmail URL, or from one of our pages opened in a tab; web
 * pages and other extensions are refused.
 */
export function senderProblem(sender: Sender, trust: Trust): string | null {
  if (sender.id !== trust.extensionId) return 'The message came from another extension or a web page.';
  if (!sender.url) return 'The message has no sender URL.';
  // A prefix test, not `new URL().origin`: outside Chrome that is "null" for chrome-extension URLs.
  if (sender.url.startsWith(`${trust.extensionOrigin}/`)) return null;
  if (!sender.tab) return 'The message came from outside this extension.';
  if (sender.frameId !== 0) return 'The message came from a frame inside the page.';
  const onWebmail = trust.contentScriptMatches.some((pattern) => new MatchPattern(pattern).includes(sender.url!));
  return onWebmail ? null : 'The message came from a page where the extension does not run.';
}

/** Account changes and deletions come only from the extension's own pages. */
function pagesOnlyProblem(name: string, spec: ProtocolMap[string], sender: Sender, trust: Trust): string | null {
  if (!spec.pagesOnly || sender.url!.startsWith(`${trust.extensionOrigin}/`)) return null;
  return `"${name}" can only be sent from the extension's own pages.`;
}

/**
 * Runs one message of `map` (the protocol; tests pass their own) through sender checks, input
 * validation and its handler, and returns the envelope to send back. `name` must be an own key of
 * `map` (`isMessageOf`, checked by the listener). It never throws: every failure becomes a typed
 * error, a `ProviderError` keeping its own code, action and retryability.
 */
export async function dispatch<P extends ProtocolMap, K extends keyof P & string>(
  map: P,
  name: K,
  data: unknown,
  sender: Sender,
  handlers: HandlersOf<P>,
  trust: Trust,
): Promise<Envelope> {
  const spec = map[name]!;
  const refused = senderProblem(sender, trust) ?? pagesOnlyProblem(name, spec, sender, trust);
  if (refused) return failure(MessagingError.of('forbidden_sender', refused));
  const input = spec.input.safeParse(data);
  if (!input.success) {
    const detail = input.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
    // Each field's first issue, for the form that sent it to show on that field.
    const fields: Record<string, string> = {};
    for (const issue of input.error.issues) if (issue.path.length > 0) fields[issue.path.join('.')] ??= issue.message;
    return failure(MessagingError.invalid(`The request to "${name}" was not valid: ${detail}`, fields));
  }
  try {
    return { ok: true, value: await handlers[name](input.data as z.output<P[K]['input']>, sender) };
  } catch (error) {
    const answer = MessagingError.from(error);
    // The page gets fixed words for an untyped failure; what it was stays here, without its message.
    if (answer.code === 'handler_failed' && !(error instanceof MessagingError)) console.warn(`[mailbox-crm] "${name}" failed:`, describeFailure(error));
    return failure(answer);
  }
}

function failure(error: MessagingError): Envelope {
  return { ok: false, error: error.toWire() };
}
