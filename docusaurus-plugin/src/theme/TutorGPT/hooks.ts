/**
 * Small browser hooks of the tutor: the site's colour scheme, the injected CSS, fitting the
 * panel to the visible viewport (on-screen keyboards, zoom) and the site's mobile menu.
 */
import { useEffect, useState, type RefObject } from 'react';
import { STYLE_ELEMENT_ID, tutorCss } from './styles';

export function useColorScheme(): 'light' | 'dark' {
  const read = () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  const [scheme, setScheme] = useState<'light' | 'dark'>(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setScheme(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return scheme;
}

export function useStyles(panelWidth: number): void {
  useEffect(() => {
    if (document.getElementById(STYLE_ELEMENT_ID)) return;
    const style = document.createElement('style');
    style.id = STYLE_ELEMENT_ID;
    style.textContent = tutorCss(panelWidth);
    document.head.appendChild(style);
  }, [panelWidth]);
}

/**
 * Keeps the open panel inside the *visual* viewport. An on-screen keyboard (iOS Safari, current
 * Android Chrome) shrinks only the visual viewport, so a `bottom: 0` panel would sit behind it;
 * CSS `zoom` on the page scales the panel while `dvh` does not follow. The CSS reads two
 * variables set here: the visible height and the keyboard's height, both in the panel's CSS px.
 */
export function useViewportFit(panel: RefObject<HTMLElement | null>, open: boolean): void {
  useEffect(() => {
    const element = panel.current;
    if (!open || !element) return;
    const viewport = window.visualViewport;
    const update = () => {
      const zoom = (element as HTMLElement & { currentCSSZoom?: number }).currentCSSZoom || 1;
      const height = viewport ? viewport.height : window.innerHeight;
      const keyboard = viewport ? Math.max(0, window.innerHeight - viewport.height - viewport.offsetTop) : 0;
      element.style.setProperty('--tutorgpt-viewport-height', `${height / zoom}px`);
      element.style.setProperty('--tutorgpt-keyboard', `${keyboard / zoom}px`);
    };
    update();
    viewport?.addEventListener('resize', update);
    viewport?.addEventListener('scroll', update);
    window.addEventListener('resize', update);
    return () => {
      viewport?.removeEventListener('resize', update);
      viewport?.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [panel, open]);
}

/** Infima's class on `.navbar` while the mobile menu (the navbar sidebar) is open. */
export const NAVBAR_MENU_OPEN_CLASS = 'navbar-sidebar--show';

/** Calls `onOpen` when the site's mobile menu opens, so the panel never covers it. */
export function useNavbarMenu(onOpen: () => void, active: boolean): void {
  useEffect(() => {
    const navbar = document.querySelector('.navbar');
    if (!active || !navbar) return;
    const observer = new MutationObserver(() => {
      if (navbar.classList.contains(NAVBAR_MENU_OPEN_CLASS)) onOpen();
    });
    observer.observe(navbar, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
  }, [onOpen, active]);
}
