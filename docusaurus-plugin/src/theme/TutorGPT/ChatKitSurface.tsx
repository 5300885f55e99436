/**
 * The real ChatKit web component (OpenAI's CDN script) pointed at the TutorGPT backend. Options
 * stay stable (ChatKit's setOptions replaces rather than merges); the changing page context
 * travels in the custom fetch instead.
 */
import React, { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { ChatKit, useChatKit, type UseChatKitOptions } from '@openai/chatkit-react';
import { readJson, writeJson } from '../../client/storage';
import { THREAD_STORAGE_KEY, type SurfaceProps } from './surface';

function accentColour(): string | undefined {
  const value = getComputedStyle(document.documentElement).getPropertyValue('--ifm-color-primary').trim();
  return /^#[0-9a-f]{6}$/i.test(value) ? value : undefined;
}

export default function ChatKitSurface({ config, fetch, colorScheme, action, visible }: SurfaceProps): ReactNode {
  // The thread on screen now: options rebuilt later (a colour-scheme change) must reopen this
  // one, not the thread the page was loaded with.
  const currentThread = useRef(readJson<string>(THREAD_STORAGE_KEY));
  const options = useMemo<UseChatKitOptions>(() => {
    const accent = accentColour();
    return {
      api: { url: config.backendUrl, domainKey: config.domainKey, fetch },
      theme: { colorScheme, ...(accent ? { color: { accent: { primary: accent, level: 1 } } } : {}) },
      startScreen: {
        greeting: config.ui.greeting,
        prompts: config.ui.starterPrompts.map((p) => ({ label: p.label, prompt: p.prompt })),
      },
      composer: { placeholder: config.ui.placeholder },
      disclaimer: config.ui.disclaimer ? { text: config.ui.disclaimer } : undefined,
      history: { enabled: false },
      threadItemActions: { feedback: true },
      initialThread: currentThread.current,
      onThreadChange: ({ threadId }: { threadId: string | null }) => {
        currentThread.current = threadId;
        writeJson(THREAD_STORAGE_KEY, threadId);
      },
    };
  }, [config, fetch, colorScheme]);
  const chatkit = useChatKit(options);
  // The hook's return value is not promised to be stable; effects read it through a ref.
  const chatkitRef = useRef(chatkit);
  chatkitRef.current = chatkit;

  const handledAction = useRef(0);
  useEffect(() => {
    if (!action || action.id === handledAction.current) return;
    handledAction.current = action.id;
    const kit = chatkitRef.current;
    const reply = action.quote ?? undefined;
    const run =
      action.kind === 'send'
        ? kit.sendUserMessage({ text: action.text, reply })
        : kit.setComposerValue({ text: action.text, reply }).then(() => kit.focusComposer());
    run.catch(() => undefined);
  }, [action]);

  useEffect(() => {
    if (visible) chatkitRef.current.focusComposer().catch(() => undefined);
  }, [visible]);

  return <ChatKit control={chatkit.control} className="tutorgpt-chatkit" />;
}
