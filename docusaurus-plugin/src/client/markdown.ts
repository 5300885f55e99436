/**
 * A small markdown parser for streamed answers. It returns a tree that React renders as
 * elements, so model output can never inject HTML: there is no raw-HTML path at all, and link
 * targets are limited to http(s), mailto and relative URLs. Partial input (mid-stream) parses.
 */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] };

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; depth: number; children: Inline[] }
  | { type: 'list'; ordered: boolean; items: Inline[][] }
  | { type: 'code'; lang: string | null; code: string }
  | { type: 'quote'; children: Inline[] }
  | { type: 'hr' };

/** Only these schemes may be links; anything else (javascript:, data:, …) renders as text. */
export function safeHref(raw: string): string | null {
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  const url = raw.trim();
  const compact = url.replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (scheme) return ['http', 'https', 'mailto'].includes(scheme[1]!) ? url : null;
  return url || null;
}

/** Letters, digits and `_` on both sides make `_` part of a word (snake_case), not emphasis. */
const WORD = String.raw`[\p{L}\p{N}_]`;
const INLINE = new RegExp(
  [
    '(?<ticks>`+)(?<code>[^`]|[^`][\\s\\S]*?[^`])\\k<ticks>(?!`)',
    // [text](href "title"); the href may hold one level of balanced parentheses.
    String.raw`\[(?<linkText>[^\]\n]+)\]\(\s*<?(?<href>(?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+"[^"]*")?\s*\)`,
    String.raw`<(?<auto>https?:\/\/[^\s<>]+)>`,
    String.raw`\*\*\*(?=\S)(?<strongEm>[\s\S]*?\S)\*\*\*`,
    String.raw`(?<!${WORD})___(?=\S)(?<strongEm2>[\s\S]*?\S)___(?!${WORD})`,
    String.raw`\*\*(?=\S)(?<strong>[\s\S]*?\S)\*\*`,
    String.raw`(?<!${WORD})__(?=\S)(?<strong2>[\s\S]*?\S)__(?!${WORD})`,
    String.raw`\*(?=[^\s*])(?<em>[^*]*?[^\s*])\*`,
    String.raw`(?<!${WORD})_(?=[^\s_])(?<em2>[^_]*?[^\s_])_(?!${WORD})`,
    String.raw`(?<bare>https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])`,
  ].join('|'),
  'gu',
);

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const pushText = (value: string) => {
    if (!value) return;
    const prev = out[out.length - 1];
    if (prev?.type === 'text') prev.text += value;
    else out.push({ type: 'text', text: value });
  };
  for (const match of text.matchAll(INLINE)) {
    pushText(text.slice(last, match.index));
    last = match.index! + match[0].length;
    const g = match.groups!;
    const strongEm = g.strongEm ?? g.strongEm2;
    const strong = g.strong ?? g.strong2;
    const em = g.em ?? g.em2;
    if (g.ticks) out.push({ type: 'code', text: g.code!.trim() || g.code! });
    else if (g.linkText !== undefined) {
      const href = safeHref(g.href!);
      if (href) out.push({ type: 'link', href, children: parseInline(g.linkText) });
      else pushText(g.linkText);
    } else if (strongEm !== undefined) out.push({ type: 'strong', children: [{ type: 'em', children: parseInline(strongEm) }] });
    else if (strong !== undefined) out.push({ type: 'strong', children: parseInline(strong) });
    else if (em !== undefined) out.push({ type: 'em', children: parseInline(em) });
    else {
      const url = g.auto ?? g.bare!;
      out.push({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
    }
  }
  pushText(text.slice(last));
  return out;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n').trim()) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1]!;
      const code: string[] = [];
      let j = i + 1;
      // An unterminated fence (still streaming) runs to the end of the text.
      for (; j < lines.length && !lines[j]!.trim().startsWith(marker); j++) code.push(lines[j]!);
      blocks.push({ type: 'code', lang: fence[2] || null, code: code.join('\n') });
      i = j;
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    if (RULE.test(line)) {
      flush();
      blocks.push({ type: 'hr' });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ type: 'heading', depth: heading[1]!.length, children: parseInline(heading[2]!) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (bullet || ordered) {
      flush();
      const isOrdered = Boolean(ordered && !bullet);
      const pattern = isOrdered ? ORDERED : BULLET;
      const items: string[] = [];
      let j = i;
      for (; j < lines.length; j++) {
        const item = pattern.exec(lines[j]!);
        if (item) items.push(item[1]!);
        else if (lines[j]!.trim() && /^\s{2,}\S/.test(lines[j]!) && items.length) items[items.length - 1] += ` ${lines[j]!.trim()}`;
        else break;
      }
      blocks.push({ type: 'list', ordered: isOrdered, items: items.map(parseInline) });
      i = j - 1;
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      flush();
      const quoted: string[] = [];
      let j = i;
      for (; j < lines.length; j++) {
        const q = QUOTE.exec(lines[j]!);
        if (!q) break;
        quoted.push(q[1]!);
      }
      blocks.push({ type: 'quote', children: parseInline(quoted.join('\n').trim()) });
      i = j - 1;
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return blocks;
}
