// @ts-check
/**
 * "Build Your First AI Tutor": the example book that proves TutorGPT end to end.
 *
 * The tutor plugin reads the docs at build time (chapter and lesson ids, the book export at
 * build/tutorgpt/book-index.json) and talks to the backend mounted at /api/chatkit by the demo.
 * Both backend settings come from the environment so one build serves local demos and a
 * public deployment (set CHATKIT_DOMAIN_KEY to the key from OpenAI's domain allowlist).
 */
import {themes as prismThemes} from 'prism-react-renderer';

/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Build Your First AI Tutor',
  tagline: 'Agents, Python and retrieval, explained one lesson at a time',
  favicon: 'img/favicon.svg',
  url: process.env.SITE_URL ?? 'http://localhost:8000',
  baseUrl: '/',
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  markdown: {hooks: {onBrokenMarkdownLinks: 'throw'}},
  i18n: {defaultLocale: 'en', locales: ['en']},

  presets: [
    [
      'classic',
      /** @type {import('@docusaurus/preset-classic').Options} */
      ({
        docs: {routeBasePath: 'docs', sidebarPath: './sidebars.js'},
        blog: false,
        theme: {customCss: './src/css/custom.css'},
      }),
    ],
  ],

  plugins: [
    [
      'docusaurus-plugin-tutorgpt',
      {
        backendUrl: process.env.TUTORGPT_BACKEND_URL ?? '/api/chatkit',
        domainKey: process.env.CHATKIT_DOMAIN_KEY ?? 'local-dev',
        // Shown only when the backend has an OpenID Connect provider (TUTORGPT_OIDC_ISSUER).
        login: {providerName: process.env.TUTORGPT_LOGIN_PROVIDER_NAME ?? 'Example ID'},
      },
    ],
  ],

  themeConfig:
    /** @type {import('@docusaurus/preset-classic').ThemeConfig} */
    ({
      colorMode: {respectPrefersColorScheme: true},
      navbar: {
        title: 'Build Your First AI Tutor',
        logo: {alt: 'TutorGPT logo', src: 'img/favicon.svg'},
        items: [
          {type: 'docSidebar', sidebarId: 'book', position: 'left', label: 'Book'},
          {to: '/docs/about', label: 'About', position: 'right'},
        ],
      },
      footer: {
        style: 'dark',
        copyright: 'Build Your First AI Tutor: the TutorGPT example book.',
      },
      prism: {theme: prismThemes.github, darkTheme: prismThemes.dracula},
    }),
};

export default config;
