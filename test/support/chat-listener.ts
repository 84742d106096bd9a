import { type Frame, LightSocket } from './light-socket.ts';

/** The two frames that carry chat messages: the spec's one-message frame, or a coalesced run. */
export type ChatFrameKind = 'chat:message' | 'chat:messages';

/**
 * A chat-room connection for scale tests (a thousand sockets in one process): each frame carrying
 * chat messages (`chat:message`, or `chat:messages` for a coalesced run, which only members that
 * joined with `batch: true` get) is handed to `onChat` as it arrives, its messages as one array,
 * with its kind. Replies to `request` come back by `ref`, as on any LightSocket.
 */
export async function connectChatListener(
  url: string,
  ticket: string,
  onChat: (messages: unknown[], kind: ChatFrameKind) => void,
  timeoutMs = 10_000,
): Promise<LightSocket> {
  const socket = await LightSocket.connect(url, ticket, timeoutMs);
  socket.onFrame = (frame: Frame) => {
    if (frame.event === 'chat:message') onChat([frame.data], frame.event);
    else if (frame.event === 'chat:messages') onChat(frame.data?.messages ?? [frame.data], frame.event);
  };
  return socket;
}
