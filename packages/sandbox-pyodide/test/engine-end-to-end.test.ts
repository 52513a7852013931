import { testRLMEndToEnd } from '@rlms/core/conformance';
import { createPyodideSandbox } from '../src/index.js';

testRLMEndToEnd({ name: 'pyodide sandbox', sandbox: () => createPyodideSandbox() });
