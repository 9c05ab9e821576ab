import { SidebarApp } from '@/components/sidebar/sidebar-app';
import { startFrameLink } from '@/components/sidebar/frame-link';
import { mountApp } from '@/components/ui/app-root';
import '@/components/ui/theme.css';
import { sendToBackground } from '@/lib/messaging';

// The secret is the frame's name, set by the content script that hosts it; it is cleared at once,
// so a document the page might later navigate this frame to cannot read it.
const secret = window.name;
window.name = '';
const link = startFrameLink(secret, { requestSync: (provider) => sendToBackground('requestSync', { provider }) });
mountApp(document.getElementById('root')!, <SidebarApp link={link} />);
