/**
 * An answer body as its JSON value when it is JSON, else the text itself: error bodies are read
 * this way, since a peer (or a proxy in front of it) may answer an error with HTML or plain text.
 */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
