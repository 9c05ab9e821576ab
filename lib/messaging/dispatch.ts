import { MatchPattern } from 'wxt/utils/match-patterns';
import { type Envelope, type HandlerInput, MessagingError, type MessageName, type MessageOutput, protocol } from './protocol';

/** The fields of Chrome's `runtime.MessageSender` that decide whether a sender is trusted. */
export interface Sender {
  id?: string;
  url?: string;
  frameId?: number;
  tab?: { id?: number };
}

/** Who may talk to the background: this extension's pages, and its content scripts on webmail. */
export interface Trust {
  extensionId: string;
  extensionOrigin: string;
  contentScriptMatches: readonly string[];
}

/** One handler per message, in the background. */
export type Handlers = {
  [K in MessageName]: (input: HandlerInput<K>, sender: Sender) => Promise<MessageOutput<K>>;
};

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
function pagesOnlyProblem(name: MessageName, sender: Sender, trust: Trust): string | null {
  if (!('pagesOnly' in protocol[name]) || sender.url!.startsWith(`${trust.extensionOrigin}/`)) return null;
  return `"${name}" can only be sent from the extension's own pages.`;
}

/**
 * Runs one message through sender checks, input validation and its handler, and returns the
 * envelope to send back. It never throws: every failure becomes a typed error.
 */
export async function dispatch<K extends MessageName>(
  name: K,
  data: unknown,
  sender: Sender,
  handlers: Handlers,
  trust: Trust,
): Promise<Envelope> {
  const refused = senderProblem(sender, trust) ?? pagesOnlyProblem(name, sender, trust);
  if (refused) return failure(new MessagingError('forbidden_sender', refused));
  const input = protocol[name].input.safeParse(data);
  if (!input.success) {
    const detail = input.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
    return failure(new MessagingError('invalid_payload', `The request to "${name}" was not valid: ${detail}`));
  }
  try {
    const handler: Handlers[K] = handlers[name];
    return { ok: true, value: await handler(input.data as HandlerInput<K>, sender) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure(new MessagingError('handler_failed', message));
  }
}

function failure(error: MessagingError): Envelope {
  return { ok: false, error: { code: error.code, message: error.message } };
}
