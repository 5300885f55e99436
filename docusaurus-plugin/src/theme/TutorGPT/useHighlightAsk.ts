/**
 * Highlight-to-ask: the "Ask TutorGPT" button over a selection, the highlight that travels in the
 * page context with the next question, and the action handed to the chat surface.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Highlight } from '../../client/context';
import { defaultPrompt } from '../../client/selection';
import { watchSelection } from '../../client/selectionWatcher';
import type { TutorClientConfig } from '../../content/types';
import type { Placement } from './SelectionButton';
import type { SurfaceAction } from './surface';

/** About half the "Ask TutorGPT" button's width, to centre it over the selection. */
const ASK_BUTTON_HALF_WIDTH = 70;

export interface HighlightAsk {
  pending: { highlight: Highlight; placement: Placement } | null;
  highlight: Highlight | null;
  setHighlight(highlight: Highlight | null): void;
  action: SurfaceAction | null;
  askAbout(selected: Highlight): void;
}

export function useHighlightAsk(config: TutorClientConfig, pathname: string, openPanel: () => void): HighlightAsk {
  const [pending, setPending] = useState<HighlightAsk['pending']>(null);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [action, setAction] = useState<SurfaceAction | null>(null);

  // A highlight never follows the reader to another page.
  useEffect(() => {
    setHighlight(null);
    setPending(null);
  }, [pathname]);

  const askAbout = useCallback(
    (selected: Highlight) => {
      setHighlight(selected);
      setPending(null);
      openPanel();
      setAction((previous) => ({
        id: (previous?.id ?? 0) + 1,
        kind: config.highlight.autoSend ? 'send' : 'prefill',
        text: defaultPrompt(selected.text),
        quote: selected.text,
      }));
    },
    [config.highlight.autoSend, openPanel],
  );

  // Selection watcher: debounced, article-only, and checks a selection made before mounting.
  useEffect(() => {
    if (!config.highlight.enabled) return;
    return watchSelection(window, config.highlight, (found) =>
      setPending(found && { highlight: found.highlight, placement: { ...found.placement, left: found.placement.left - ASK_BUTTON_HALF_WIDTH } }),
    );
  }, [config.highlight]);

  return { pending, highlight, setHighlight, action, askAbout };
}
