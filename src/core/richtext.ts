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
