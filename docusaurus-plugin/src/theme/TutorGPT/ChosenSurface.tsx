/**
 * The chat surface chosen for this page: ChatKit (loaded lazily), the fallback panel, or a
 * message while the choice is pending or when nothing can load. (Not `Surface.tsx`: beside
 * `surface.ts` that name differs only in case, which webpack warns about and which breaks on
 * case-insensitive file systems.)
 */
import React, { Suspense, lazy, type ReactNode } from 'react';
import FallbackChat from './FallbackChat';
import type { SurfaceProps } from './surface';
import type { SurfaceKind } from './surfaceChoice';

const ChatKitSurface = lazy(() => import('./ChatKitSurface'));

export default function ChosenSurface(props: { kind: SurfaceKind } & SurfaceProps): ReactNode {
  const { kind, ...surface } = props;
  if (kind === 'pending') return <p className="tutorgpt-muted tutorgpt-context">Connecting to the tutor…</p>;
  if (kind === 'unavailable') {
    return (
      <div className="tutorgpt-banner tutorgpt-banner--error" data-tutorgpt="error" role="alert">
        The chat could not load (the ChatKit script is blocked or offline).
      </div>
    );
  }
  if (kind === 'chatkit') {
    return (
      <Suspense fallback={<p className="tutorgpt-muted tutorgpt-context">Loading the chat…</p>}>
        <ChatKitSurface {...surface} />
      </Suspense>
    );
  }
  return <FallbackChat {...surface} />;
}
