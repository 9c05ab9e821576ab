import { createContext, useCallback, useContext, useEffect, useRef } from 'react';

/** How long the sidebar must have been really visible before an action click counts (clickjacking defence). */
export const VISIBLE_FOR_MS = 500;

/** `IntersectionObserverInit` with the v2 options Chrome supports (not yet in the DOM typings). */
type ObserverInitV2 = IntersectionObserverInit & { trackVisibility: boolean; delay: number };

/**
 * Since when (performance.now()) the element has been really visible: unoccluded and without a
 * visual effect, as IntersectionObserver v2 says; null while it is not. The page embedding the
 * frame can lay a transparent element over it to steal a click; v2 sees that and the sidebar
 * refuses the click. Where v2 is not supported (`isVisible` undefined), visibility is assumed.
 */
export function useVisibleSince(element: Element | null): () => number | null {
  const since = useRef<number | null>(null);
  useEffect(() => {
    if (!element) return;
    since.current = null;
    const observer = new IntersectionObserver(
      (entries) => {
        const entry = entries[entries.length - 1] as (IntersectionObserverEntry & { isVisible?: boolean }) | undefined;
        if (!entry) return;
        if (entry.isVisible === false) since.current = null;
        else if (since.current === null) since.current = entry.isVisible === undefined ? -Infinity : performance.now();
      },
      { trackVisibility: true, delay: 100 } as ObserverInitV2,
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return useCallback(() => since.current, []);
}

/** True when `since` (from useVisibleSince) says the sidebar has been visible for VISIBLE_FOR_MS at `now`. */
export function visibleLongEnough(since: number | null, now: number): boolean {
  return since !== null && now - since >= VISIBLE_FOR_MS;
}

/** Wraps an action's click so it runs only while the sidebar has been visible long enough. Without a provider (unit renders), as is. */
export type Guard = (action: () => void) => () => void;
const GuardContext = createContext<Guard>((action) => action);
export const GuardProvider = GuardContext.Provider;

/** The guard every action button's click goes through (link, unlink, create, don't sync, sync again, log, sync now). */
export function useGuard(): Guard {
  return useContext(GuardContext);
}
