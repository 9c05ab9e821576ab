import { type Browser, browser } from 'wxt/browser';

/**
 * Listens to `runtime.onMessage` with nothing in between: `listener` sees every message first and
 * returns the answer's promise, or null to leave the message unanswered (the sender then gets no
 * answer, as from a context that does not listen). Returns a function that stops listening.
 */
export function onRuntimeMessage(listener: (message: unknown, sender: Browser.runtime.MessageSender) => Promise<unknown> | null): () => void {
  const raw = (message: unknown, sender: Browser.runtime.MessageSender, sendResponse: (answer: unknown) => void) => {
    const answer = listener(message, sender);
    if (!answer) return false;
    void answer.then(sendResponse);
    // Chrome keeps the channel open for an asynchronous sendResponse only when the listener returns true.
    return true;
  };
  browser.runtime.onMessage.addListener(raw);
  return () => browser.runtime.onMessage.removeListener(raw);
}
