export { encodeFrame, FrameDecoder, DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
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
