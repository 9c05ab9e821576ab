import { defineContentScript } from 'wxt/utils/define-content-script';
import { startSidebarHost } from '@/components/sidebar/host/sidebar-host';
import { readOutlookInbox, readOutlookThread } from '@/lib/webmail/outlook';
import { OUTLOOK_MATCHES } from '@/lib/webmail/sites';

export default defineContentScript({
  matches: OUTLOOK_MATCHES,
  main: (ctx) => {
    startSidebarHost(ctx, { webmail: 'outlook', readThread: readOutlookThread, readInbox: readOutlookInbox });
  },
});
