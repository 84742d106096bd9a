/**
 * The banner `npm start` prints: where things are, and the spec's flow as copy-paste shell.
 * Needs only curl and node (already there: it is running this). JSON fields are read with a
 * small `node -pe` helper, so jq is not required.
 */
export function banner(url: string, wsUrl: string, dataDir: string): string {
  return `
DreamX livestream local stack
  Web app       ${url}/  (open it in two windows: sign in as two names, go live in one, watch in the other)
  REST API      ${url}/api/livestream/...
  WebSocket     ${wsUrl}?ticket=...  (tickets: POST .../start, .../join, .../ticket)
  @connections  ${url}/ws/@connections/{connectionId}  (SigV4 with the local keys, as the handlers sign)
  JWKS          ${url}/.well-known/jwks.json
  Dev tokens    POST ${url}/api/dev/token  {"userId":"alice","roles":[]}
  S3            ${url}/s3/dreamx-recordings/...  (recording parts PUT to presigned URLs)
  Recordings    ${url}/media/{streamId}/index.m3u8  (and index.mpd; ffmpeg stands in for MediaConvert)
  Data          ${dataDir}  (delete it to start fresh)

Try the whole flow (bash or zsh):

  API=${url}
  JSON='Content-Type: application/json'
  field() { node -pe "JSON.parse(require('fs').readFileSync(0, 'utf8')).$1"; }

  # Tokens for a broadcaster and a viewer
  ALICE=$(curl -s -X POST $API/api/dev/token -H "$JSON" -d '{"userId":"alice"}' | field token)
  BOB=$(curl -s -X POST $API/api/dev/token -H "$JSON" -d '{"userId":"bob"}' | field token)

  # Alice creates a stream (the key is shown once) and goes live
  CREATED=$(curl -s -X POST $API/api/livestream/create -H "Authorization: Bearer $ALICE" -H "$JSON" \\
    -d '{"title":"Hello","description":"First stream","recordingEnabled":false}'); echo "$CREATED"
  STREAM=$(echo "$CREATED" | field streamId)
  KEY=$(echo "$CREATED" | field streamKey)
  curl -s -X POST $API/api/livestream/$STREAM/start -H "Authorization: Bearer $ALICE" -H "X-Stream-Key: $KEY"; echo
  # Its signaling.url?ticket=<signaling.ticket> opens the signaling WebSocket within 60 s (docs/websocket.md)

  # Anyone lists live streams
  curl -s "$API/api/livestream/active?limit=10"; echo

  # Bob joins, then leaves
  VIEWER=$(curl -s -X POST $API/api/livestream/$STREAM/join -H "Authorization: Bearer $BOB" | field viewerId)
  curl -s -X POST $API/api/livestream/$STREAM/leave -H "Authorization: Bearer $BOB" -H "$JSON" \\
    -d "{\\"viewerId\\":\\"$VIEWER\\"}"; echo

  # Alice ends the stream
  curl -s -X POST $API/api/livestream/$STREAM/end -H "Authorization: Bearer $ALICE" -H "$JSON" -d '{}'; echo

Ctrl-C stops the stack; streams survive a restart.
`;
}
