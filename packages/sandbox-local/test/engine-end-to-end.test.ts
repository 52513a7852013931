import { testRLMEndToEnd } from '@rlms/core/testing';
import { createLocalSandbox } from '../src/index.js';

testRLMEndToEnd({ name: 'local sandbox', sandbox: () => createLocalSandbox() });
