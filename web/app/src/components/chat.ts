import type { ChatChannel, ChatMessage } from '../../../sdk/index.ts';
import { describeError } from '../app.ts';
import { h } from '../dom.ts';
import { clock } from '../format.ts';

const MAX_CHARS = 500;
const MAX_SHOWN = 500;
const HISTORY = 50;

/**
 * The chat panel: history then live messages, in id (time) order, each shown once however often
 * it is delivered. Every message is rendered with text nodes only: chat is stored verbatim, so
 * `<img src=x onerror=...>` must show as those characters.
 */
export class ChatPanel {
  readonly el: HTMLElement;
  private readonly list = h('ol', {
    'data-testid': 'chat-list',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
    'aria-label': 'Chat messages',
    tabindex: 0,
  });
  private readonly input = h('input', {
    'data-testid': 'chat-input',
    autocomplete: 'off',
    placeholder: 'Say something…',
    disabled: true,
  });
  private readonly send = h('button', { type: 'submit', 'data-testid': 'chat-send', disabled: true }, 'Send');
  private readonly status = h('p', { class: 'hint', 'data-testid': 'chat-status' });
  private readonly error = h('p', { class: 'error', role: 'alert', hidden: true });
  private readonly shown = new Map<string, HTMLLIElement>();
  private readonly offs: (() => void)[] = [];
  private source: ChatChannel | undefined;

  constructor(private readonly me: string | undefined) {
    const inputId = `chat-input-${Math.random().toString(36).slice(2, 8)}`;
    this.input.id = inputId;
    const form = h(
      'form',
      { 'aria-label': 'Send a chat message' },
      h('label', { for: inputId, class: 'visually-hidden' }, 'Message'),
      this.input,
      this.send,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.el = h(
      'section',
      { class: 'card chat', 'aria-labelledby': `${inputId}-title` },
      h('h2', { id: `${inputId}-title` }, 'Chat'),
      this.list,
      h('div', {}, form, this.error, this.status),
    );
    this.setStatus('Chat opens when the stream is live.');
  }

  /** Shows the channel's history and follows it live; the input opens. */
  async attach(source: ChatChannel): Promise<void> {
    this.detach();
    this.source = source;
    this.offs.push(
      source.on('message', (m) => this.add(m)),
      source.on('deleted', (id) => this.remove(id)),
    );
    this.setEnabled(true);
    try {
      const { messages } = await source.history({ limit: HISTORY });
      for (const m of messages) this.add(m);
    } catch (err) {
      this.setStatus(`History unavailable: ${describeError(err)}`);
    }
  }

  /** Shows stored messages without a live channel (an ended stream). */
  showHistory(messages: ChatMessage[]): void {
    for (const m of messages) this.add(m);
  }

  /** Stops following the channel. */
  detach(): void {
    for (const off of this.offs.splice(0)) off();
    this.source = undefined;
  }

  /** Opens or closes the input; `reason` says why it is closed. */
  setEnabled(enabled: boolean, reason?: string): void {
    this.input.disabled = !enabled;
    this.send.disabled = !enabled;
    this.setStatus(enabled ? `Chatting as ${this.me ?? 'guest'}` : (reason ?? ''));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    if (!text || !this.source) return;
    if ([...text].length > MAX_CHARS) {
      this.showError(`Messages are at most ${MAX_CHARS} characters.`);
      return;
    }
    this.send.disabled = true;
    try {
      const stored = await this.source.send(text);
      this.add(stored);
      this.input.value = '';
      this.showError(undefined);
    } catch (err) {
      this.showError(describeError(err));
    } finally {
      this.send.disabled = this.input.disabled;
      this.input.focus();
    }
  }

  private showError(message: string | undefined): void {
    this.error.textContent = message ?? '';
    this.error.hidden = message === undefined;
  }

  private add(m: ChatMessage): void {
    if (this.shown.has(m.id)) return;
    const stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const li = h(
      'li',
      { 'data-testid': 'chat-message', 'data-id': m.id, class: m.userId === this.me ? 'mine' : undefined },
      h('span', { class: 'author' }, m.userId),
      h('span', { class: 'text', 'data-testid': 'chat-text' }, m.message),
      h('time', { datetime: m.timestamp }, clock(m.timestamp)),
    );
    // Ids are ULIDs: their order is the messages' order, wherever a late one lands.
    let next: string | undefined;
    for (const id of this.shown.keys()) if (id > m.id && (next === undefined || id < next)) next = id;
    this.list.insertBefore(li, next === undefined ? null : (this.shown.get(next) ?? null));
    this.shown.set(m.id, li);
    if (this.shown.size > MAX_SHOWN) {
      const oldest = [...this.shown.keys()].sort()[0];
      if (oldest) this.remove(oldest);
    }
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }

  private remove(id: string): void {
    this.shown.get(id)?.remove();
    this.shown.delete(id);
  }
}
