export { createTarStream } from './tar-writer.js';
export type { TarEntry } from './tar-writer.js';
