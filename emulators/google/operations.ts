/**
 * The Gmail API methods the emulator serves: what each costs in quota units and which OAuth
 * scopes allow it (any one of them). Costs are Gmail's documented per-method quota units; scopes
 * are each method's "Authorization scopes" list in the Gmail API reference.
 */

const GMAIL = 'https://www.googleapis.com/auth/gmail.';
export const SCOPES = {
  full: 'https://mail.google.com/',
  modify: `${GMAIL}modify`,
  readonly: `${GMAIL}readonly`,
  metadata: `${GMAIL}metadata`,
  compose: `${GMAIL}compose`,
  send: `${GMAIL}send`,
  labels: `${GMAIL}labels`,
  settingsBasic: `${GMAIL}settings.basic`,
} as const;

const READ = [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.metadata];

export interface Operation {
  /** Quota units per call. */
  cost: number;
  /** Any one of these scopes allows the call. */
  scopes: readonly string[];
  /** The RPC name Google reports in an ACCESS_TOKEN_SCOPE_INSUFFICIENT ErrorInfo. */
  rpc: string;
}

const op = (cost: number, scopes: readonly string[], rpc: string): Operation => ({ cost, scopes, rpc: `caribou.api.proto.MailboxService.${rpc}` });

export const OPERATIONS = {
  getProfile: op(1, [...READ, SCOPES.compose], 'GetProfile'),
  messagesList: op(5, READ, 'ListMessages'),
  messagesGet: op(5, READ, 'GetMessage'),
  messagesSend: op(100, [SCOPES.full, SCOPES.modify, SCOPES.compose, SCOPES.send], 'SendMessage'),
  threadsList: op(10, READ, 'ListThreads'),
  threadsGet: op(10, READ, 'GetThread'),
  historyList: op(2, READ, 'ListHistory'),
  labelsList: op(1, [...READ, SCOPES.labels], 'ListLabels'),
  sendAsList: op(1, [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.settingsBasic], 'ListSendAs'),
} satisfies Record<string, Operation>;

/** Short forms Google's authorize endpoint also accepts, widened to the URL it grants. */
const SHORT_SCOPES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** A requested scope string as Google records and echoes it (space-separated, full URLs). */
export function normaliseScopes(scope: string): string[] {
  const out: string[] = [];
  for (const raw of scope.split(/\s+/).filter(Boolean)) {
    const name = SHORT_SCOPES[raw] ?? raw;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Whether the metadata scope is the only Gmail read scope a token has (it forbids `q`, full and raw). */
export function metadataOnly(scopes: ReadonlySet<string>): boolean {
  return scopes.has(SCOPES.metadata) && ![SCOPES.full, SCOPES.modify, SCOPES.readonly].some((s) => scopes.has(s));
}
