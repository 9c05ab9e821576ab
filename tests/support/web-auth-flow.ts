import type { WebAuthFlow } from '@/lib/auth/oauth';

/**
 * `launchWebAuthFlow` as the emulators see it: the browser loads the authorize URL and stops at
 * the redirect to `https://<id>.chromiumapp.org/`. The emulators consent automatically, so one
 * request gives that redirect. A silent (non-interactive) run fails the way Chrome's does when
 * the page answers with a page instead of a redirect.
 */
export const fetchWebAuthFlow: WebAuthFlow = async (url) => {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location) throw new Error('Authorization page could not be loaded.');
  return location;
};

/** A web auth flow that records the authorize URLs it was given. */
export function recordingWebAuthFlow(): WebAuthFlow & { urls: URL[] } {
  const urls: URL[] = [];
  const flow = Object.assign(async (url: string, interactive: boolean) => {
    urls.push(new URL(url));
    return fetchWebAuthFlow(url, interactive);
  }, { urls });
  return flow;
}
