export { describeRLMEvent, describeSubcallBatch, describeSubcallsStarting, linePrefix, type DescribeRLMEventOptions, type SubcallBatch } from './describe-event.js';
export { RLMEventNarrator } from './event-narrator.js';
export { formatCount, formatElapsed, joinNames, plural } from './words.js';
export { describeRunTimings } from './describe-timings.js';
