export { createDaytonaSandbox, DaytonaSandboxProvider } from './daytona-sandbox-provider.js';
export type { DaytonaSandboxSettings } from './daytona-sandbox-settings.js';
export { DEFAULT_DAYTONA_TIMEOUT_MS } from './daytona-sandbox-settings.js';
export type { DaytonaClientLike, DaytonaSandbox, DaytonaProcess, DaytonaFileSystem } from './daytona-client.js';
