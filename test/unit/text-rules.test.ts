import { describe, expect, it } from 'vitest';
import { ChatBody, CreateStreamBody, TerminateBody } from '../../functions/http/schemas.ts';

const title = (text: string) => CreateStreamBody.safeParse({ title: text }).success;
const description = (text: string) => CreateStreamBody.safeParse({ title: 't', description: text }).success;
const chat = (text: string) => ChatBody.safeParse({ message: text }).success;
const reason = (text: string) => TerminateBody.safeParse({ reason: text }).success;

const LINE_BREAKS: [string, string][] = [
  ['LF', '\n'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
  ['NEL (U+0085)', '\u0085'],
  ['LINE SEPARATOR (U+2028)', '\u2028'],
  ['PARAGRAPH SEPARATOR (U+2029)', '\u2029'],
];
const CONTROLS: [string, string][] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['ESC', '\u001b'],
  ['DEL', '\u007f'],
  ['a C1 control (U+009B)', '\u009b'],
];
/** Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069). */
const BIDI_CONTROLS: [string, string][] = [
  ['LRE (U+202A)', '\u202a'],
  ['RLE (U+202B)', '\u202b'],
  ['PDF (U+202C)', '\u202c'],
  ['LRO (U+202D)', '\u202d'],
  ['RLO (U+202E)', '\u202e'],
  ['LRI (U+2066)', '\u2066'],
  ['RLI (U+2067)', '\u2067'],
  ['FSI (U+2068)', '\u2068'],
  ['PDI (U+2069)', '\u2069'],
];
/** Right-to-left text needs no control to display; the marks stay allowed for mixed text. */
const RTL = ['שלום עולם', 'مرحبا بالعالم', 'Stream \u200fשידור\u200f live', 'abc \u200eשלום\u200e 123'];

describe('text that one user writes and others see', () => {
  it.each(LINE_BREAKS)('refuses %s inside a title or a terminate reason', (_name, brk) => {
    expect(title(`a${brk}b`)).toBe(false);
    expect(reason(`a${brk}b`)).toBe(false);
  });

  it.each([...CONTROLS, ['TAB', '\t']])('refuses %s in a title', (_name, control) => {
    expect(title(`a${control}b`)).toBe(false);
  });

  it('allows LF, CRLF and TAB in descriptions and chat messages', () => {
    for (const accepts of [description, chat]) {
      expect(accepts('line one\nline two\r\nline three\twith a tab')).toBe(true);
    }
  });

  it.each([
    ['a lone CR', '\r'],
    ['NEL (U+0085)', '\u0085'],
    ['LINE SEPARATOR (U+2028)', '\u2028'],
    ['PARAGRAPH SEPARATOR (U+2029)', '\u2029'],
    ...CONTROLS,
  ])('refuses %s in descriptions and chat messages', (_name, character) => {
    expect(description(`a${character}b`)).toBe(false);
    expect(chat(`a${character}b`)).toBe(false);
  });

  it.each(BIDI_CONTROLS)('refuses the bidi control %s in titles, descriptions and chat', (_name, bidi) => {
    const spoof = `invoice${bidi}fdp.exe`;
    expect(title(spoof)).toBe(false);
    expect(description(spoof)).toBe(false);
    expect(chat(spoof)).toBe(false);
    expect(reason(spoof)).toBe(false);
  });

  it.each(RTL)('accepts right-to-left text and the LRM/RLM marks: %s', (text) => {
    expect(title(text)).toBe(true);
    expect(description(text)).toBe(true);
    expect(chat(text)).toBe(true);
  });

  it('says which rule a refused title broke', () => {
    const lines = CreateStreamBody.safeParse({ title: 'a\u2028b' });
    const bidi = CreateStreamBody.safeParse({ title: 'a\u202eb' });

    expect(lines.error?.issues.map((i) => i.message)).toEqual([
      'must not contain line breaks or control characters',
    ]);
    expect(bidi.error?.issues.map((i) => i.message)).toEqual([
      'must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069)',
    ]);
  });
});
