export { encodeFrame, FrameDecoder, DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
export { encodeDocumentsPayload, decodeDocumentsPayload, decodeContextPayload } from './documents-payload.js';
export { encodeUtf8 } from './utf8.js';
export { replyAttachment, REPLY_ATTACHMENT_CHARS, type ReplyAttachment } from './reply-attachment.js';
export { hostCallFromBody, withPromptsFromBytes } from './prompt-attachment.js';
export type { DecodedFrame, FrameDecoderOptions } from './frame-codec.js';
export type { FrameTransport, FrameTransportHandlers, TransportExit } from './frame-transport.js';
export { createStreamTransport } from './stream-transport.js';
export { TransportRelay } from './transport-relay.js';
export { SessionTracker } from './session-tracker.js';
export type { PendingSession } from './session-tracker.js';
export { shellQuote } from './shell-quote.js';
export { exitFromStatus } from './exit-from-status.js';
export type { StreamTransportOptions } from './stream-transport.js';
export { createFrameSession } from './create-frame-session.js';
export type { FrameSessionOptions } from './create-frame-session.js';
export { FrameSession } from './frame-session.js';
export { assertPythonIdentifier, isPythonIdentifier, PYTHON_IDENTIFIER_RULE } from './python-identifier.js';
export {
  checkCreateSessionOptions,
  checkSessionTools,
  checkLoadContextArguments,
  checkExecuteArguments,
  MIN_MAX_FRAME_BYTES,
  MAX_MAX_FRAME_BYTES,
} from './session-arguments.js';
export { parseExecutionResult, parseContextInfo, hostCallFromWire, hostErrorToWire, toWireValue, WireValueError, WIRE_TAG } from './wire-conversions.js';
export type {
  WireError,
  ReadyFrame,
  ResponseFrame,
  HostCallFrame,
  HostCancelFrame,
  RuntimeFrame,
  ConfigureFrame,
  LoadContextFrame,
  ExecuteFrame,
  HostResultFrame,
  InterruptFrame,
  ShutdownFrame,
  HostFrame,
  WireExecutionResult,
  WireContextInfo,
} from './wire-types.js';
export { ExecutionClock } from './execution-clock.js';
export type { HostCallActivity } from './host-call-dispatcher.js';
