import type { ReactNode } from 'react';

export type NoticeTone = 'info' | 'success' | 'warning' | 'error' | 'empty';

/**
 * A block that explains a state in plain words, with the action that moves the user on. An error
 * is an alert; any other tone a polite status. The title is an `h3`, under a section's `h2`.
 */
export function Notice(props: { tone: NoticeTone; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className={`notice notice-${props.tone}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      <h3 className="notice-title">{props.title}</h3>
      {props.children}
      {props.action && <div className="button-row">{props.action}</div>}
    </div>
  );
}
