import type { ReactNode } from 'react';

/** A block that explains a state in plain words, with the action that moves the user on. */
export function Notice(props: { tone: 'empty' | 'error'; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <section className={`notice notice-${props.tone}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      <h2>{props.title}</h2>
      {props.children}
      {props.action}
    </section>
  );
}
