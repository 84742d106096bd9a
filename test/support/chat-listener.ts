import { type Frame, LightSocket } from './light-socket.ts';

/**
 * A chat-room connection for scale tests (a thousand sockets in one process): each frame carrying
 * chat messages (`chat:message`, or `chat:messages` for a coalesced run) is handed to `onChat` as
 * it arrives, its messages as one array. Replies to `request` come back by `ref`, as on any
 * LightSocket.
 */
export async function connectChatListener(
  url: string,
  ticket: string,
  onChat: (messages: unknown[]) => void,
  timeoutMs = 10_000,
): Promise<LightSocket> {
  const socket = await LightSocket.connect(url, ticket, timeoutMs);
  socket.onFrame = (frame: Frame) => {
    if (frame.event === 'chat:message') onChat([frame.data]);
    else if (frame.event === 'chat:messages') onChat(frame.data?.messages ?? [frame.data]);
  };
  return socket;
}
