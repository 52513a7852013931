export { trackSandbox, type TrackingSandbox } from './tracking-sandbox.js';
