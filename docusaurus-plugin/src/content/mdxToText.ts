/**
 * Markdown/MDX source → plain text, headings with Docusaurus's anchors, and sections.
 *
 * The backend cites `permalink#anchor`, so anchors must be the ids Docusaurus puts on the rendered
 * headings: github-slugger over the heading's plain text (the same slugger Docusaurus uses, one
 * per document, h1 included), an explicit `{#custom-id}` or a trailing MDX comment `#custom-id` wins and is
 * removed from the text. Setext headings and JSX `<h2 id>` count as headings; an imported MDX
 * partial used as `<Partial />` is read in place, with its own slugger (Docusaurus compiles it as
 * its own document). Parsing is line-based on purpose: it needs no MDX compiler (the remark stack
 * is ESM-only) and keeps code blocks whole; the rules are checked against a real build's HTML
 * (tests/fixtures/realbook-site).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeHTML } from 'entities';
import GithubSlugger from 'github-slugger';

export interface Heading {
  depth: number;
  text: string;
  anchor: string;
}

export interface CodeBlock {
  lang: string | null;
  code: string;
}

export interface Section {
  anchor: string | null;
  heading_path: string[];
  text: string;
  code_blocks: CodeBlock[];
}

export interface ExtractedDoc {
  text: string;
  headings: Heading[];
  sections: Section[];
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const ADMONITION_OPEN = /^\s*(:{3,})([A-Za-z][\w-]*)(?:\[(.*)\]|\s+(.*))?\s*$/;
const ADMONITION_CLOSE = /^\s*:{3,}\s*$/;
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s/;
const CUSTOM_ID = /\s*\{#([^}\s]+)\}\s*$/;
const JSX_TAG = /<\/?[A-Za-z][\w.:-]*(?:\s+(?:[^<>{}"'`]|"[^"]*"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\})*)?\s*\/?>/g;
const HTML_COMMENT = /<!--[\s\S]*?-->/g;
const MDX_COMMENT = /\{\/\*[\s\S]*?\*\/\}/g;
/** Docusaurus 3.10's comment ids: an MDX or HTML comment ending the heading whose first word is `#id`. */
const HEADING_COMMENT_ID = /^(\s{0,3}#{1,6}\s.*?)\s*(?:\{\/\*\s*#([^\s*]+)[^*]*\*\/\}|<!--\s*#(\S+?)(?:\s[^>]*)?-->)\s*$/;
/** A JSX/HTML heading with an explicit id on one line: rendered with that id, never slugged. */
const JSX_HEADING = /^\s*<h([1-6])\b[^>]*?\bid=(?:"([^"]+)"|'([^']+)'|\{["']([^"']+)["']\})[^>]*>(.*?)<\/h\1>\s*$/;
const SETEXT_UNDERLINE = /^\s{0,3}(=+|-+)\s*$/;
const PARTIAL_IMPORT = /^import\s+([A-Z]\w*)\s+from\s+['"]([^'"]+\.mdx?)['"];?\s*$/;
const PARTIAL_START = '\u0002partial\u0002';
const PARTIAL_END = '\u0002/partial\u0002';
const MAX_PARTIAL_DEPTH = 5;

/** Remove YAML front matter (`---` fenced at the very top). */
export function stripFrontMatter(source: string): string {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const match = /^---[ \t]*\n[\s\S]*?\n---[ \t]*(?:\n|$)/.exec(text);
  return match ? text.slice(match[0].length) : text;
}

type Segment = { kind: 'prose'; lines: string[] } | { kind: 'code'; lang: string | null; code: string };

/** Split into prose and fenced code, so nothing below ever rewrites code. */
function segment(text: string): Segment[] {
  const lines = text.split('\n');
  const out: Segment[] = [];
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open || (open[2]!.startsWith('`') && open[3]!.includes('`'))) {
      prose.push(lines[i]!);
      continue;
    }
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !closing.test(lines[j]!); j++) {
      const line = lines[j]!;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (prose.length) out.push({ kind: 'prose', lines: prose });
    prose = [];
    const lang = info.trim().split(/[\s{]/)[0] || null;
    out.push({ kind: 'code', lang, code: body.join('\n') });
    i = j;
  }
  if (prose.length) out.push({ kind: 'prose', lines: prose });
  return out;
}

function braceBalance(line: string): number {
  let depth = 0;
  for (const ch of line) {
    if (ch === '{' || ch === '(' || ch === '[') depth++;
    else if (ch === '}' || ch === ')' || ch === ']') depth--;
  }
  return depth;
}

/** Drop ESM `import`/`export` statements (possibly multi-line) from MDX prose. */
function dropModuleLines(lines: string[]): string[] {
  const kept: string[] = [];
  let depth = 0;
  let inStatement = false;
  for (const line of lines) {
    if (!inStatement && /^(import|export)\s/.test(line)) {
      inStatement = true;
      depth = 0;
    }
    if (!inStatement) {
      kept.push(line);
      continue;
    }
    depth += braceBalance(line);
    const ends = depth <= 0 && (/;\s*$/.test(line) || /from\s+['"][^'"]+['"]\s*;?\s*$/.test(line) || /^import\s+['"][^'"]+['"]/.test(line) || !/[,{([=]\s*$/.test(line));
    if (ends) inStatement = false;
  }
  return kept;
}

/** Remove JSX/HTML tags (keeping inner text) but never inside inline code spans. */
function dropTags(text: string): string {
  const spans: string[] = [];
  const protectedText = text.replace(/(`+)[^`\n]*?\1/g, (span) => {
    spans.push(span);
    return `\u0000${spans.length - 1}\u0000`;
  });
  return protectedText
    .replace(HTML_COMMENT, '')
    .replace(MDX_COMMENT, '')
    .replace(JSX_TAG, '')
    .replace(/\u0000(\d+)\u0000/g, (_, index: string) => spans[Number(index)]!);
}

/**
 * The heading's plain text as mdast-util-to-string would give it (what Docusaurus slugs): code
 * spans verbatim (`max_retries` keeps its underscores), emphasis, links and escapes unwrapped,
 * character references (`&amp;`) decoded outside code.
 */
export function headingPlainText(markdown: string): string {
  const spans: string[] = [];
  const protectedText = dropTags(markdown).replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, __: string, code: string) => {
    spans.push(code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() ? code.slice(1, -1) : code);
    return `\u0000${spans.length - 1}\u0000`;
  });
  const text = protectedText
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|[^\p{L}\p{N}_])__(.+?)__(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/\*(.+?)\*/g, '$1')
    .replace(/(^|[^\p{L}\p{N}_])_(.+?)_(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
  return decodeHTML(text)
    .replace(/\u0000(\d+)\u0000/g, (_, index: string) => spans[Number(index)]!)
    .trim();
}

/**
 * Put each `<Partial />` of an imported `.md`/`.mdx` partial in place (front matter dropped),
 * between markers that give its headings their own slugger. Unreadable partials are left out.
 */
function inlinePartials(text: string, file: string | undefined, depth = 0): string {
  if (!file || depth >= MAX_PARTIAL_DEPTH) return text;
  const partials = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = PARTIAL_IMPORT.exec(line.trim());
    if (match && (match[2]!.startsWith('.') || match[2]!.startsWith('/'))) partials.set(match[1]!, match[2]!);
  }
  if (!partials.size) return text;
  let inFence = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
      const use = inFence ? null : /^\s*<([A-Z]\w*)\s*\/>\s*$/.exec(line);
      const target = use ? partials.get(use[1]!) : undefined;
      if (!target) return line;
      const partialFile = path.resolve(path.dirname(file), target);
      let body: string;
      try {
        body = stripFrontMatter(readFileSync(partialFile, 'utf8'));
      } catch {
        return '';
      }
      return `\n${PARTIAL_START}\n${inlinePartials(body, partialFile, depth + 1)}\n${PARTIAL_END}\n`;
    })
    .join('\n');
}

/** Rewrite the heading forms a line pass cannot see as ATX headings with an explicit `{#id}`. */
function normaliseHeadings(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = HEADING_COMMENT_ID.exec(line);
    if (comment) {
      out.push(`${comment[1]} {#${comment[2] ?? comment[3]}}`);
      continue;
    }
    const jsx = JSX_HEADING.exec(line);
    if (jsx) {
      out.push(`${'#'.repeat(Number(jsx[1]))} ${jsx[5]} {#${jsx[2] ?? jsx[3] ?? jsx[4]}}`);
      continue;
    }
    const underline = lines[i + 1] !== undefined ? SETEXT_UNDERLINE.exec(lines[i + 1]!) : null;
    const startsParagraph = i === 0 || !lines[i - 1]!.trim();
    if (underline && startsParagraph && isParagraphLine(line)) {
      out.push(`${underline[1]![0] === '=' ? '#' : '##'} ${line.trim()}`);
      i++;
      continue;
    }
    out.push(line);
  }
  return out;
}

function isParagraphLine(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed || /^\s{4,}/.test(line) || LIST_ITEM.test(line) || HEADING.test(line)) return false;
  return !/^(>|\||<|:::|\{|import\s|export\s|\u0002)/.test(trimmed);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

interface Block {
  heading: Heading | null;
  lines: string[];
  code: CodeBlock[];
}

/**
 * Extract the text, headings (h2..h6) and sections (split at h2 and h3) of one doc.
 * `title` heads every section's `heading_path`.
 */
export function extractDoc(source: string, title: string, options: { file?: string } = {}): ExtractedDoc {
  const sluggers = [new GithubSlugger()];
  const headings: Heading[] = [];
  const blocks: Block[] = [{ heading: null, lines: [], code: [] }];
  const textParts: string[] = [];
  const fencedBlocks: string[] = [];
  const current = () => blocks[blocks.length - 1]!;

  for (const seg of segment(inlinePartials(stripFrontMatter(source), options.file))) {
    if (seg.kind === 'code') {
      fencedBlocks.push('```' + (seg.lang ?? '') + '\n' + seg.code + '\n```');
      const placeholder = `\u0001${fencedBlocks.length - 1}\u0001`;
      textParts.push(placeholder);
      current().lines.push(placeholder);
      current().code.push({ lang: seg.lang, code: seg.code });
      continue;
    }
    const cleaned = dropTags(normaliseHeadings(dropModuleLines(seg.lines)).join('\n')).split('\n');
    for (const raw of cleaned) {
      if (raw === PARTIAL_START || raw === PARTIAL_END) {
        if (raw === PARTIAL_START) sluggers.push(new GithubSlugger());
        else if (sluggers.length > 1) sluggers.pop();
        continue;
      }
      // JSX children are indented in the source; four spaces would read as code, so dedent them.
      const trimmed = raw.replace(/\s+$/, '');
      const line = /^\s{4,}\S/.test(trimmed) && !LIST_ITEM.test(trimmed) ? trimmed.trimStart() : trimmed;
      const heading = HEADING.exec(line);
      if (heading) {
        const depth = heading[1]!.length;
        let label = heading[2]!;
        const custom = CUSTOM_ID.exec(label);
        if (custom) label = label.slice(0, custom.index);
        const text = headingPlainText(label);
        const anchor = custom ? custom[1]! : sluggers[sluggers.length - 1]!.slug(text);
        if (depth === 1) continue; // the page title: not part of the body
        const entry = { depth, text, anchor };
        headings.push(entry);
        const markdownLine = `${'#'.repeat(depth)} ${text}`;
        textParts.push(markdownLine);
        if (depth <= 3) blocks.push({ heading: entry, lines: [], code: [] });
        else current().lines.push(markdownLine);
        continue;
      }
      const admonition = ADMONITION_OPEN.exec(line);
      if (admonition) {
        const label = (admonition[3] ?? admonition[4] ?? '').trim();
        const out = `${capitalise(admonition[2]!)}:${label ? ` ${label}` : ''}`;
        textParts.push(out);
        current().lines.push(out);
        continue;
      }
      if (ADMONITION_CLOSE.test(line)) continue;
      textParts.push(line);
      current().lines.push(line);
    }
  }

  const sections: Section[] = [];
  let h2: string | null = null;
  for (const block of blocks) {
    const text = tidy(block.lines.join('\n'), fencedBlocks);
    if (!block.heading) {
      if (text || block.code.length) sections.push({ anchor: null, heading_path: [title], text, code_blocks: block.code });
      continue;
    }
    if (block.heading.depth === 2) h2 = block.heading.text;
    const path = block.heading.depth === 3 && h2 !== null ? [title, h2, block.heading.text] : [title, block.heading.text];
    sections.push({ anchor: block.heading.anchor, heading_path: path, text, code_blocks: block.code });
  }
  return { text: tidy(textParts.join('\n'), fencedBlocks), headings, sections };
}

/** Trim line ends and collapse blank-line runs in prose; code blocks (placeholders) stay verbatim. */
function tidy(text: string, fencedBlocks: string[]): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/\u0001(\d+)\u0001/g, (_, index: string) => fencedBlocks[Number(index)]!);
}

export function wordCount(text: string): number {
  const words = text.match(/\S+/g);
  return words ? words.length : 0;
}
