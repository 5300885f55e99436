/**
 * The tutor's CSS, injected once as a <style> element (no CSS build step, no class-name clashes:
 * everything is prefixed). Colours come from Infima variables, so Docusaurus's light/dark switch
 * (`html[data-theme]`) restyles the panel with no extra code.
 */
export const STYLE_ELEMENT_ID = 'tutorgpt-styles';

export function tutorCss(panelWidth: number): string {
  return `
.tutorgpt-launcher{position:fixed;bottom:1.25rem;z-index:calc(var(--ifm-z-index-fixed,200) - 1);border:0;border-radius:999px;padding:.7rem 1.1rem;font:inherit;font-weight:600;cursor:pointer;background:var(--ifm-color-primary,#2e8555);color:var(--ifm-font-color-base-inverse,#fff);box-shadow:0 4px 14px rgba(0,0,0,.25)}
.tutorgpt-launcher--bottom-right{right:5.25rem}.tutorgpt-launcher--bottom-left{left:1.25rem}
.tutorgpt-kbd{margin-left:.55rem;padding:0 .3rem;border:1px solid currentColor;border-radius:4px;background:none;color:inherit;box-shadow:none;font:inherit;font-size:.8em;font-weight:500}
.tutorgpt-launcher:focus-visible,.tutorgpt-panel button:focus-visible,.tutorgpt-ask:focus-visible,.tutorgpt-panel pre:focus-visible,.tutorgpt-log:focus-visible{outline:3px solid var(--ifm-color-primary-lightest,#6fd3a0);outline-offset:2px}
.tutorgpt-panel{position:fixed;bottom:5rem;z-index:calc(var(--ifm-z-index-fixed,200) + 2);width:min(${panelWidth}px,calc(100vw - 2rem));height:min(640px,calc(100vh - 7rem));height:min(640px,calc(var(--tutorgpt-viewport-height,100dvh) - 7rem));bottom:calc(5rem + var(--tutorgpt-keyboard,0px));display:flex;flex-direction:column;overflow-y:auto;overscroll-behavior:contain;background:var(--ifm-background-surface-color,#fff);color:var(--ifm-font-color-base,#1c1e21);border:1px solid var(--ifm-color-emphasis-300,#dadde1);border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.25);font-size:.95rem}
.tutorgpt-panel[hidden]{display:none}
.tutorgpt-panel--bottom-right{right:1.25rem}.tutorgpt-panel--bottom-left{left:1.25rem}
.tutorgpt-header{flex:none;display:flex;align-items:center;gap:.5rem;padding:.6rem .8rem;border-bottom:1px solid var(--ifm-color-emphasis-200,#ebedf0)}
.tutorgpt-header h2{font-size:1rem;margin:0;flex:1}
.tutorgpt-body{flex:1 1 auto;display:flex;flex-direction:column;min-height:14rem}
.tutorgpt-chat{flex:1;display:flex;flex-direction:column;min-height:0}
.tutorgpt-toolbar{display:flex;align-items:center;justify-content:space-between;gap:.5rem;padding:.3rem .8rem;font-size:.85rem;color:var(--ifm-color-emphasis-700,#606770)}
.tutorgpt-thread-title{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tutorgpt-toolbar .tutorgpt-link-button{flex:none;white-space:nowrap}
.tutorgpt-log{flex:1;min-height:4rem;overflow-y:auto;overscroll-behavior:contain;padding:.6rem .8rem;display:flex;flex-direction:column;gap:.6rem}
.tutorgpt-message{padding:.5rem .7rem;border-radius:10px;max-width:92%;overflow-wrap:anywhere}
.tutorgpt-message p{margin:0 0 .4rem}.tutorgpt-message p:last-child{margin-bottom:0}
.tutorgpt-message pre{margin:.4rem 0;padding:.5rem;border-radius:6px;overflow-x:auto;font-size:.85em;background:var(--ifm-code-background,#f6f7f8)}
.tutorgpt-message ul,.tutorgpt-message ol{margin:.2rem 0 .4rem;padding-left:1.2rem}
.tutorgpt-message--user{align-self:flex-end;background:var(--ifm-color-primary,#2e8555);color:var(--ifm-font-color-base-inverse,#fff)}
.tutorgpt-message--assistant{align-self:flex-start;background:var(--ifm-color-emphasis-100,#f5f6f7)}
.tutorgpt-message-quote{margin:0 0 .35rem;padding:0 0 0 .55rem;background:none;box-shadow:none;color:inherit;font-size:.85em;font-style:italic;border-left:3px solid currentColor;border-left-color:color-mix(in srgb,currentColor 45%,transparent)}
.tutorgpt-citations{margin-top:.4rem;font-size:.85em}.tutorgpt-citations ul{margin:.1rem 0 0;padding-left:1.1rem}
.tutorgpt-progress{display:flex;align-items:center;gap:.5rem;padding:.3rem .8rem;font-size:.85rem;font-style:italic;color:var(--ifm-color-emphasis-700,#606770)}
.tutorgpt-progress-dots{width:.5rem;height:.5rem;border-radius:50%;background:currentColor}
.tutorgpt-failure{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem;margin-top:.35rem;font-size:.85em}
.tutorgpt-message--failed{background:var(--ifm-color-danger-contrast-background,#ffebec);color:var(--ifm-color-danger-contrast-foreground,#4b1113);border:1px solid var(--ifm-color-danger-dark,#e13238)}
.tutorgpt-retry{min-height:32px;border:1px solid currentColor;border-radius:6px;padding:.15rem .7rem;background:none;color:inherit;font:inherit;font-weight:600;cursor:pointer}
.tutorgpt-banner{padding:.5rem .7rem;border-radius:8px;font-size:.9rem}
.tutorgpt-banner p{margin:0}
.tutorgpt-banner--error,.tutorgpt-banner--danger{background:var(--ifm-color-danger-contrast-background,#ffebec);color:var(--ifm-color-danger-contrast-foreground,#4b1113)}
.tutorgpt-banner--warning{background:var(--ifm-color-warning-contrast-background,#fff8e6);color:var(--ifm-color-warning-contrast-foreground,#4d3800)}
.tutorgpt-banner--info{background:var(--ifm-color-info-contrast-background,#eef9fd);color:var(--ifm-color-info-contrast-foreground,#193c47)}
.tutorgpt-composer{flex:none;border-top:1px solid var(--ifm-color-emphasis-200,#ebedf0);padding:.5rem .8rem}
.tutorgpt-composer-row{display:flex;gap:.5rem;align-items:flex-end}
.tutorgpt-composer textarea{flex:1;resize:none;font:inherit;font-size:max(1rem,16px);padding:.45rem .55rem;border-radius:8px;border:1px solid var(--ifm-color-emphasis-400,#ccd0d5);background:var(--ifm-background-color,#fff);color:inherit}
.tutorgpt-send{border:0;border-radius:8px;padding:.5rem .9rem;font:inherit;font-weight:600;cursor:pointer;background:var(--ifm-color-primary,#2e8555);color:var(--ifm-font-color-base-inverse,#fff)}
.tutorgpt-send:disabled{background:var(--ifm-color-emphasis-200,#ebedf0);color:var(--ifm-color-emphasis-700,#606770);cursor:not-allowed}
.tutorgpt-quote{position:relative;margin-bottom:.4rem;padding:.4rem 2rem .4rem .6rem;border-radius:8px;background:var(--ifm-color-emphasis-100,#f5f6f7);font-size:.85rem}
.tutorgpt-quote blockquote{margin:.2rem 0 0;padding:0;border:0;font-style:italic}
.tutorgpt-quote-label{font-weight:600}
.tutorgpt-quote .tutorgpt-icon-button{position:absolute;top:.2rem;right:.3rem;min-width:32px;min-height:32px}
.tutorgpt-icon-button,.tutorgpt-link-button{background:none;border:0;cursor:pointer;color:inherit;font:inherit;padding:.2rem .4rem;border-radius:6px}
.tutorgpt-icon-button{font-size:1.25rem;line-height:1}
.tutorgpt-close{min-width:44px;min-height:44px;display:inline-flex;align-items:center;justify-content:center;font-size:1.5rem}
.tutorgpt-link-button{text-decoration:underline}
.tutorgpt-disclaimer,.tutorgpt-muted{margin:.3rem 0 0;font-size:.8rem;color:var(--ifm-color-emphasis-700,#606770)}
.tutorgpt-context{margin:0 .8rem .4rem;font-size:.8rem}
.tutorgpt-context pre{max-height:10rem;overflow:auto;font-size:.75rem;margin:.3rem 0 0}
.tutorgpt-student{display:flex;flex-direction:column;gap:.4rem;padding:.6rem .8rem;border-bottom:1px solid var(--ifm-color-emphasis-200,#ebedf0)}
.tutorgpt-student label{display:flex;flex-direction:column;font-size:.85rem;gap:.15rem}
.tutorgpt-student input,.tutorgpt-student select{font:inherit;font-size:max(1rem,16px);padding:.35rem .5rem;border-radius:6px;border:1px solid var(--ifm-color-emphasis-400,#ccd0d5);background:var(--ifm-background-color,#fff);color:inherit}
.tutorgpt-student-actions{display:flex;gap:.5rem;align-items:center}
.tutorgpt-signin{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.4rem;padding:.4rem .8rem;font-size:.85rem;border-bottom:1px solid var(--ifm-color-emphasis-200,#ebedf0)}
.tutorgpt-signin p{flex-basis:100%}
.tutorgpt-signin-button{border:1px solid var(--ifm-color-emphasis-400,#ccd0d5);background:var(--ifm-background-color,#fff);color:inherit;border-radius:8px;padding:.35rem .8rem;font:inherit;font-weight:600;cursor:pointer}
.tutorgpt-signin-button:disabled{cursor:progress;opacity:.7}
.tutorgpt-start{color:var(--ifm-color-emphasis-800,#444950)}
.tutorgpt-prompts{list-style:none;padding:0;margin:.4rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem}
.tutorgpt-prompts button{border:1px solid var(--ifm-color-emphasis-300,#dadde1);background:none;color:inherit;border-radius:999px;padding:.3rem .7rem;cursor:pointer;font:inherit;font-size:.85rem}
.tutorgpt-ask{position:fixed;z-index:calc(var(--ifm-z-index-fixed,200) + 3);border:0;border-radius:8px;padding:.45rem .8rem;font:inherit;font-size:.9rem;font-weight:600;cursor:pointer;background:var(--ifm-color-primary,#2e8555);color:var(--ifm-font-color-base-inverse,#fff);box-shadow:0 3px 10px rgba(0,0,0,.3)}
.tutorgpt-chatkit{display:block;width:100%;height:100%;flex:1;min-height:0}
.tutorgpt-visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (max-width:600px){
.tutorgpt-panel{left:0!important;right:0!important;bottom:var(--tutorgpt-keyboard,0px);width:100vw;height:85vh;height:max(calc(var(--tutorgpt-viewport-height,100dvh) * .85),min(var(--tutorgpt-viewport-height,100dvh),20rem));border-radius:12px 12px 0 0}
.tutorgpt-launcher{bottom:1rem}
}
@media (hover:none){.tutorgpt-kbd{display:none}}
@media (prefers-reduced-motion:no-preference){.tutorgpt-panel{animation:tutorgpt-in .15s ease-out}@keyframes tutorgpt-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}.tutorgpt-progress-dots{animation:tutorgpt-pulse 1s ease-in-out infinite alternate}@keyframes tutorgpt-pulse{from{opacity:.25}to{opacity:1}}}
`;
}
