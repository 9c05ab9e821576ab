import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { Sidebar } from './sidebar';

/** The custom element that hosts the sidebar's shadow root on the webmail page. */
export const SIDEBAR_HOST_TAG = 'mailbox-crm-sidebar';

/**
 * Mounts the sidebar in a shadow root at the end of `<body>`, so the page's styles and ours
 * never mix. WXT removes it when the content script is invalidated (extension update).
 */
export async function mountSidebar(ctx: ContentScriptContext, webmail: 'Gmail' | 'Outlook'): Promise<void> {
  const ui = await createShadowRootUi<Root>(ctx, {
    name: SIDEBAR_HOST_TAG,
    position: 'inline',
    anchor: 'body',
    append: 'last',
    onMount(container) {
      const root = createRoot(container);
      root.render(
        <StrictMode>
          <Sidebar webmail={webmail} />
        </StrictMode>,
      );
      return root;
    },
    onRemove(root) {
      root?.unmount();
    },
  });
  ui.mount();
}
