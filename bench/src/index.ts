export { measureIterationOverhead } from './overhead/iteration-overhead.js';
