/**
 * Wraps the site's Root (which never unmounts) so the tutor, its panel and its thread survive SPA
 * navigation. Everything tutor-related renders only in the browser and is loaded lazily, so
 * `docusaurus build` never touches `window` and readers download nothing until the page is up.
 */
import React, { Suspense, lazy, type ReactNode } from 'react';
import BrowserOnly from '@docusaurus/BrowserOnly';
import OriginalRoot from '@theme-init/Root';

const TutorGPT = lazy(() => import('./TutorGPT'));

export default function Root({ children }: { children: ReactNode }): ReactNode {
  return (
    <OriginalRoot>
      {children}
      <BrowserOnly>
        {() => (
          <Suspense fallback={null}>
            <TutorGPT />
          </Suspense>
        )}
      </BrowserOnly>
    </OriginalRoot>
  );
}
