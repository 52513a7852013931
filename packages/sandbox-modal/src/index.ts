export { createModalSandbox, ModalSandboxProvider } from './modal-sandbox-provider.js';
export type { ModalSandboxSettings } from './modal-sandbox-settings.js';
export {
  DEFAULT_MODAL_APP,
  DEFAULT_MODAL_IMAGE,
  DEFAULT_MODAL_MEMORY_MIB,
  DEFAULT_MODAL_TIMEOUT_MS,
} from './modal-sandbox-settings.js';
export type {
  ModalClientLike,
  ModalSandbox,
  ModalProcess,
  ModalFilesystem,
  ModalApp,
  ModalImage,
} from './modal-client.js';
