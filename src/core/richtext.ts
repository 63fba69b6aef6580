// The rich-text tree every platform format is parsed into and rendered from.
// Inline and block nodes follow the set the design names; each platform's parser and
// renderer live in src/formats/.

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'bold'; children: Inline[] }
  | { type: 'italic'; children: Inline[] }
  | { type: 'strike'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; url: string; children: Inline[] }
  | { type: 'mention'; name: string; email?: string }
  | { type: 'emoji'; unicode: string }
  | { type: 'break' };

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code_block'; language?: string; text: string }
  | { type: 'quote'; children: Block[] }
  | { type: 'list'; ordered: boolean; items: Block[][] };

/** A message body: a list of blocks. */
export interface RichText {
  blocks: Block[];
}

/** Returns the emails of the people a message mentions, each once, in the order they appear. */
export function mentionedEmails(rich: RichText): string[] {
  const found = new Set<string>();
  const inline = (node: Inline): void => {
    if (node.type === 'mention' && node.email) found.add(node.email);
    if ('children' in node) node.children.forEach(inline);
  };
  const block = (node: Block): void => {
    if (node.type === 'paragraph') node.children.forEach(inline);
    if (node.type === 'quote') node.children.forEach(block);
    if (node.type === 'list') node.items.forEach((item) => item.forEach(block));
  };
  rich.blocks.forEach(block);
  return [...found];
}
