import type { ReactNode } from 'react';

export type BadgeTone = 'ok' | 'busy' | 'warn' | 'error';

/** A small pill naming a state; the words inside carry the meaning, the colour only repeats it. */
export function StatusBadge(props: { tone: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge-${props.tone}`}>{props.children}</span>;
}
