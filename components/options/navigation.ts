import { useEffect, useRef } from 'react';

/** The element id of a mailbox's part of a section: `<section>-<index>` (`mailbox-0`, `checklist-1`). */
export function mailboxPartId(section: string, index: number): string {
  return `${section}-${index}`;
}

/** The element id of a run's row in the sync history. */
export function runRowId(runId: string): string {
  return `run-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * Brings the element with `id` into view and moves the keyboard focus there (a prompt's "Review
 * run" or "Review owner"), keeping the address's hash in step so a reload lands there too.
 */
export function goTo(id: string): void {
  const target = document.getElementById(id);
  if (!target) return;
  history.replaceState(null, '', `#${id}`);
  target.scrollIntoView({ block: 'start' });
  if (target.tabIndex < 0 && !target.matches('input, select, textarea, button, a[href]')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
}

/** Scrolls to the section the address's hash names, if any. */
function followHash(): void {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id) goTo(id);
}

/**
 * The page may be opened at a section (`options.html#checklist`, from the popup or a prompt): once
 * its content is there (`ready`: nothing above it will grow any more), scroll to it, once; and
 * again whenever the hash changes (the in-page links).
 */
export function useScrollToHash(ready: boolean): void {
  const scrolled = useRef(false);
  useEffect(() => {
    if (!ready || scrolled.current) return;
    scrolled.current = true;
    followHash();
  }, [ready]);
  useEffect(() => {
    addEventListener('hashchange', followHash);
    return () => removeEventListener('hashchange', followHash);
  }, []);
}
