import { defineBackground } from 'wxt/utils/define-background';
import { createHandlers } from '@/lib/background';
import { MailboxCrmDatabase } from '@/lib/db';
import { serveProtocol } from '@/lib/messaging';
import { extensionId, extensionOrigin } from '@/lib/platform';
import { WEBMAIL_MATCHES } from '@/lib/webmail/sites';

export default defineBackground({
  type: 'module',
  main() {
    serveProtocol(createHandlers(new MailboxCrmDatabase()), {
      extensionId: extensionId(),
      extensionOrigin: extensionOrigin(),
      contentScriptMatches: WEBMAIL_MATCHES,
    });
  },
});
