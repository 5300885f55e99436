/**
 * Renders the safe markdown tree as React elements (text is always escaped by React).
 */
import React, { memo, useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from '../../client/markdown';

function renderInline(nodes: Inline[], key = ''): ReactNode[] {
  return nodes.map((node, i) => {
    const k = `${key}${i}`;
    switch (node.type) {
      case 'text':
        return <React.Fragment key={k}>{node.text}</React.Fragment>;
      case 'strong':
        return <strong key={k}>{renderInline(node.children, `${k}-`)}</strong>;
      case 'em':
        return <em key={k}>{renderInline(node.children, `${k}-`)}</em>;
      case 'code':
        return <code key={k}>{node.text}</code>;
      case 'link':
        return (
          <a key={k} href={node.href} target={/^https?:/i.test(node.href) ? '_blank' : undefined} rel="noopener noreferrer">
            {renderInline(node.children, `${k}-`)}
          </a>
        );
    }
  });
}

function renderBlock(block: Block, i: number): ReactNode {
  switch (block.type) {
    case 'paragraph':
      return <p key={i}>{renderInline(block.children)}</p>;
    case 'heading': {
      const Tag = (`h${Math.min(6, block.depth + 2)}`) as 'h3';
      return <Tag key={i}>{renderInline(block.children)}</Tag>;
    }
    case 'list': {
      const Tag = block.ordered ? 'ol' : 'ul';
      return (
        <Tag key={i}>
          {block.items.map((item, j) => (
            <li key={j}>{renderInline(item)}</li>
          ))}
        </Tag>
      );
    }
    case 'code':
      return (
        // Focusable with a name, so a keyboard can scroll a wide block (axe scrollable-region-focusable).
        <pre key={i} data-lang={block.lang ?? undefined} tabIndex={0} role="group" aria-label={block.lang ? `Code (${block.lang})` : 'Code'}>
          <code>{block.code}</code>
        </pre>
      );
    case 'quote':
      return <blockquote key={i}>{renderInline(block.children)}</blockquote>;
    case 'hr':
      return <hr key={i} />;
  }
}

/** Parsed only when its text changes: a finished message is parsed once, not on every delta. */
function Markdown({ text }: { text: string }): ReactNode {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return <>{blocks.map(renderBlock)}</>;
}

export default memo(Markdown);
