export * from './mock/index.js';
export * from './sandbox/index.js';
export * from './model/index.js';
