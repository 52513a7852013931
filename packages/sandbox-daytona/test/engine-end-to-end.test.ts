import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createFakeDaytonaSandboxProvider } from '../src/testing/index.js';

testRLMEndToEnd({ name: 'daytona (through its faithful fake)', sandbox: () => createFakeDaytonaSandboxProvider() });
