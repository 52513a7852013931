export { FakeDaytonaClient, FakeDaytonaSandbox, FakeDaytonaFileSystem } from './fake-daytona-client.js';
export { FakeDaytonaProcess } from './fake-daytona-process.js';
export { createFakeDaytonaSandboxProvider } from './create-fake-daytona-sandbox-provider.js';
export type { FakeDaytonaSandboxProvider } from './create-fake-daytona-sandbox-provider.js';
