import { defineContentScript } from 'wxt/utils/define-content-script';
import '@/components/sidebar/sidebar.css';
import { mountSidebar } from '@/components/sidebar/mount-sidebar';
import { OUTLOOK_MATCHES } from '@/lib/webmail/sites';

export default defineContentScript({
  matches: OUTLOOK_MATCHES,
  cssInjectionMode: 'ui',
  main: (ctx) => mountSidebar(ctx, 'Outlook'),
});
