import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createFakeE2BSandboxProvider } from '../src/testing/index.js';

testRLMEndToEnd({ name: 'e2b (through its faithful fake)', sandbox: () => createFakeE2BSandboxProvider() });
