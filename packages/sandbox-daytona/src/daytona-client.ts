/**
 * The part of `@daytonaio/sdk` this package uses, as structural types derived from the SDK's
 * declarations. The real `Daytona` client must stay assignable to {@link DaytonaClientLike}
 * (checked below at compile time) and the offline fake in `@rlms/sandbox-daytona/testing`
 * implements the same types, so SDK drift breaks compilation.
 */
import type {
  CreateSandboxFromImageParams,
  CreateSandboxFromSnapshotParams,
  Daytona,
  DaytonaConfig,
  FileSystem,
  Process,
  Sandbox,
} from '@daytonaio/sdk';

/** `sandbox.process`: sessions (a long-lived shell with async commands, stdin and log streaming) and one-shot commands. */
export type DaytonaProcess = Pick<
  Process,
  | 'createSession'
  | 'executeSessionCommand'
  | 'getSessionCommandLogs'
  | 'sendSessionCommandInput'
  | 'getSessionCommand'
  | 'deleteSession'
  | 'executeCommand'
>;

/** `sandbox.fs`: only streaming uploads are used. */
export type DaytonaFileSystem = Pick<FileSystem, 'uploadFileStream'>;

/** One Daytona sandbox, as used by this package. */
export interface DaytonaSandbox extends Pick<Sandbox, 'id' | 'getWorkDir' | 'delete'> {
  readonly process: DaytonaProcess;
  readonly fs: DaytonaFileSystem;
}

/** The `Daytona` client methods used by this package. */
export interface DaytonaClientLike {
  create(params?: CreateSandboxFromSnapshotParams, options?: { timeout?: number }): Promise<DaytonaSandbox>;
  create(
    params?: CreateSandboxFromImageParams,
    options?: { onSnapshotCreateLogs?: (chunk: string) => void; timeout?: number },
  ): Promise<DaytonaSandbox>;
}

/** Compile-time proof that the SDK's `Daytona` client fits the surface above. */
type Assignable<Source extends Target, Target> = Source extends Target ? true : never;
type DaytonaSdkFitsSurface = Assignable<Daytona, DaytonaClientLike>;

/**
 * Creates a real `Daytona` client, loading the SDK lazily (it is large: HTTP, WebSocket, S3 and
 * OpenTelemetry clients), so importing this package or calling `createDaytonaSandbox` does no I/O.
 */
export async function createDefaultDaytonaClient(config: DaytonaConfig): Promise<DaytonaClientLike> {
  const { Daytona: SdkDaytona } = await import('@daytonaio/sdk');
  return new SdkDaytona(config);
}
