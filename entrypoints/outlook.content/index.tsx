import { defineContentScript } from 'wxt/utils/define-content-script';
import { OUTLOOK_MATCHES } from '@/lib/webmail/sites';

// Placeholder while the sidebar host is rebuilt (issue 11).
export default defineContentScript({
  matches: OUTLOOK_MATCHES,
  main: () => undefined,
});
