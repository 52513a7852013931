/**
 * The part of the `e2b` SDK this package uses, as structural types derived from the SDK's own
 * declarations. The real `Sandbox` must stay assignable to {@link E2BSandboxInstance} (checked
 * below at compile time), and the offline fake in `@rlms/sandbox-e2b/testing` implements the same
 * types, so an SDK change that breaks the adapter breaks compilation instead of production.
 */
import type { CommandHandle, CommandResult, CommandStartOpts, Filesystem, Sandbox, SandboxOpts } from 'e2b';

/** A background command started with `commands.run(cmd, { background: true })`. */
export type E2BCommandHandle = Pick<CommandHandle, 'pid' | 'sendStdin' | 'kill' | 'wait'>;

/** `sandbox.commands`: start a command in the foreground (waits) or in the background (returns a handle). */
export interface E2BCommands {
  run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<E2BCommandHandle>;
  run(cmd: string, opts?: CommandStartOpts & { background?: false }): Promise<CommandResult>;
}

/** `sandbox.files`: only `write` is used. */
export type E2BFilesystem = Pick<Filesystem, 'write'>;

/** One E2B sandbox, as used by this package: a subset of the SDK's `Sandbox`. */
export interface E2BSandboxInstance {
  readonly sandboxId: string;
  readonly files: E2BFilesystem;
  readonly commands: E2BCommands;
  /** Terminates the sandbox. Resolves `false` when it was already gone. */
  kill(opts?: Pick<SandboxOpts, 'requestTimeoutMs' | 'signal'>): Promise<boolean>;
}

/**
 * Creates one sandbox per session. The default calls `Sandbox.create(options)` from `e2b`;
 * tests pass the fake from `@rlms/sandbox-e2b/testing`.
 */
export type E2BSandboxFactory = (options: SandboxOpts) => Promise<E2BSandboxInstance>;

/** Compile-time proof that the SDK's `Sandbox` fits the surface above. */
type Assignable<Source extends Target, Target> = Source extends Target ? true : never;
type E2BSdkFitsSurface = Assignable<Sandbox, E2BSandboxInstance>;

/**
 * The SDK's default factory, loaded lazily so that importing this package (and calling
 * `createE2BSandbox`) does no I/O and does not load the SDK until a session is created.
 */
export async function loadDefaultE2BFactory(): Promise<E2BSandboxFactory> {
  const { Sandbox: SdkSandbox } = await import('e2b');
  return (options) => SdkSandbox.create(options);
}
