export { testRLMEndToEnd, makeHaystack, type RLMEndToEndOptions } from './rlm-end-to-end.js';
export { trackSandbox, type TrackingSandbox } from './tracking-sandbox.js';
