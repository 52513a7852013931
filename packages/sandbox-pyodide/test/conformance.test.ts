import { testSandboxProvider } from '@rlms/core/conformance';
import { createPyodideSandbox } from '../src/index.js';

testSandboxProvider({ name: 'pyodide', create: () => createPyodideSandbox() });
