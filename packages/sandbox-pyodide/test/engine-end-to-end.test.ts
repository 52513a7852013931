import { testRLMEndToEnd } from '@rlms/core/testing';
import { createPyodideSandbox } from '../src/index.js';

testRLMEndToEnd({ name: 'pyodide sandbox', sandbox: () => createPyodideSandbox() });
