import { testSandboxProvider } from '@rlms/core/testing';
import { createPyodideSandbox } from '../src/index.js';

testSandboxProvider({ name: 'pyodide', create: () => createPyodideSandbox() });
