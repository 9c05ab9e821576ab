import { defineContentScript } from 'wxt/utils/define-content-script';
import { startSidebarHost } from '@/components/sidebar/host/sidebar-host';
import { readGmailInbox, readGmailThread } from '@/lib/webmail/gmail';
import { GMAIL_MATCHES } from '@/lib/webmail/sites';

export default defineContentScript({
  matches: GMAIL_MATCHES,
  main: (ctx) => {
    startSidebarHost(ctx, { webmail: 'gmail', readThread: readGmailThread, readInbox: readGmailInbox });
  },
});
