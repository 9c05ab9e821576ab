import type { ReactNode } from 'react';

/**
 * A section of a page with its `h2` title; the stable `id` lets links (`options.html#checklist`),
 * screenshots and accessibility checks find it.
 */
export function Panel(props: { id: string; title: string; description?: ReactNode; children?: ReactNode }) {
  const titleId = `${props.id}-title`;
  return (
    <section id={props.id} className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      {props.description && <p className="panel-description">{props.description}</p>}
      {props.children}
    </section>
  );
}
