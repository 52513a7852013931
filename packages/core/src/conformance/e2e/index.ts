export { testRLMEndToEnd, makeHaystack, type RLMEndToEndOptions } from './rlm-end-to-end.js';
