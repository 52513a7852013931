/**
 * The part of Modal's JS SDK (`modal@^0.11`) this package uses, as structural types derived from
 * the SDK's declarations. The real `ModalClient` must stay assignable to {@link ModalClientLike}
 * (checked below at compile time) and the offline fake in `@rlms/sandbox-modal/testing`
 * implements the same types, so SDK drift breaks compilation.
 */
import type {
  App,
  AppFromNameParams,
  ContainerProcess,
  Image,
  ModalClient,
  ModalClientParams,
  SandboxCreateParams,
  SandboxExecParams,
  SandboxFilesystem,
} from 'modal';

/** A Modal App (sandboxes are created inside one). */
export type ModalApp = Pick<App, 'appId'>;
/** A container image reference. */
export type ModalImage = Pick<Image, 'imageId'>;
/** A process started with `sandbox.exec(argv, { mode: 'binary' })`: byte streams and its exit code. */
export type ModalProcess = Pick<ContainerProcess<Uint8Array>, 'stdin' | 'stdout' | 'stderr' | 'wait'>;
/** `sandbox.filesystem`: only `writeBytes` is used. */
export type ModalFilesystem = Pick<SandboxFilesystem, 'writeBytes'>;

/** One Modal sandbox, as used by this package. */
export interface ModalSandbox {
  readonly sandboxId: string;
  readonly filesystem: ModalFilesystem;
  exec(command: string[], params: SandboxExecParams & { mode: 'binary' }): Promise<ModalProcess>;
  terminate(): Promise<void>;
}

/** The `ModalClient` services used by this package. */
export interface ModalClientLike {
  readonly apps: { fromName(name: string, params?: AppFromNameParams): Promise<ModalApp> };
  readonly images: { fromRegistry(tag: string): ModalImage };
  readonly sandboxes: {
    create(app: ModalApp, image: ModalImage, params?: SandboxCreateParams): Promise<ModalSandbox>;
  };
  /** Closes the client's connections. */
  close(): void;
}

/** Compile-time proof that the SDK's `ModalClient` fits the surface above. */
type Assignable<Source extends Target, Target> = Source extends Target ? true : never;
type ModalSdkFitsSurface = Assignable<ModalClient, ModalClientLike>;

/**
 * Creates a real `ModalClient`, loading the SDK lazily: the SDK reads `~/.modal.toml` when it is
 * imported, so importing this package or calling `createModalSandbox` does no I/O.
 */
export async function createDefaultModalClient(params: ModalClientParams): Promise<ModalClientLike> {
  const { ModalClient: SdkModalClient } = await import('modal');
  return new SdkModalClient(params);
}
