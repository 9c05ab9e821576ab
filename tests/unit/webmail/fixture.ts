import { readFileSync, readdirSync } from 'node:fs';
import { Window } from 'happy-dom';

const window = new Window();

/** Parses a string of HTML into a Document, as a webmail page would hold it. */
export function parse(html: string): Document {
  return new window.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
}

/**
 * A fixture page of `tests/fixtures/webmail/` and the URL its opening comment says it is served at
 * (so the comment cannot drift from what the tests use).
 */
export function fixture(relative: string): { doc: Document; url: URL } {
  read.add(relative);
  const html = readFileSync(new URL(`../../fixtures/webmail/${relative}`, import.meta.url), 'utf8');
  const served = /served at (https:\/\/\S+)/i.exec(html)?.[1];
  if (!served) throw new Error(`${relative} does not say where it is served`);
  return { doc: parse(html), url: new URL(served) };
}

/** The fixtures `fixture` has loaded so far. */
const read = new Set<string>();

/** The fixture files of a folder (relative names) that no test has loaded yet. */
export function unread(folder: string): string[] {
  return readdirSync(new URL(`../../fixtures/webmail/${folder}`, import.meta.url))
    .filter((name) => name.endsWith('.html'))
    .map((name) => (folder ? `${folder}/${name}` : name))
    .filter((name) => !read.has(name));
}
