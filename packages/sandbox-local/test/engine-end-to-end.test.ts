import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createLocalSandbox } from '../src/index.js';

testRLMEndToEnd({ name: 'local sandbox', sandbox: () => createLocalSandbox() });
