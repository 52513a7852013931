import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createFakeModalSandboxProvider } from '../src/testing/index.js';

testRLMEndToEnd({ name: 'modal (through its faithful fake)', sandbox: () => createFakeModalSandboxProvider() });
