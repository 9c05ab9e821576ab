import { defineContentScript } from 'wxt/utils/define-content-script';
import '@/components/sidebar/sidebar.css';
import { mountSidebar } from '@/components/sidebar/mount-sidebar';
import { GMAIL_MATCHES } from '@/lib/webmail/sites';

export default defineContentScript({
  matches: GMAIL_MATCHES,
  cssInjectionMode: 'ui',
  main: (ctx) => mountSidebar(ctx, 'Gmail'),
});
