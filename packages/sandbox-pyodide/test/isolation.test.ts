/**
 * Isolation probes, run as model code: each tries to reach the host (environment, files,
 * network, processes, the worker's JavaScript) and must fail. One provider, one session per
 * probe group; the assertions check both what Python sees and what happened on the host.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFakeHost } from '@rlms/core/testing';
import type { SandboxSessionV1 } from '@rlms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPyodideSandbox, type PyodideSandboxProvider } from '../src/index.js';

const CANARY_NAME = 'RLMS_PYODIDE_ISOLATION_CANARY';
const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
const REPO_FILE = resolve(import.meta.dirname, '../package.json');

let provider: PyodideSandboxProvider;
let session: SandboxSessionV1;
let scratch: string;
let server: Server;
let connections = 0;
let port = 0;

/** Runs `code`; returns what it printed, failing the test if the cell raised. */
async function run(code: string): Promise<string> {
  const result = await session.execute(code, { timeoutMs: 20_000 });
  expect(result.error, result.error?.traceback).toBeUndefined();
  return result.stdout;
}

/** Runs `code`, which must raise; returns the exception type. */
async function raises(code: string): Promise<string> {
  const result = await session.execute(code, { timeoutMs: 20_000 });
  expect(result.error, `expected an exception from:\n${code}\nstdout: ${result.stdout}`).toBeDefined();
  return result.error?.type ?? '';
}

beforeAll(async () => {
  process.env[CANARY_NAME] = CANARY;
  scratch = mkdtempSync(join(tmpdir(), 'rlms-pyodide-isolation-'));
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
  provider = createPyodideSandbox({ warmPoolSize: 0 });
  session = await provider.createSession({ host: createFakeHost() });
});

afterAll(async () => {
  delete process.env[CANARY_NAME];
  await session?.destroy();
  await provider?.close();
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(scratch, { recursive: true, force: true });
});

describe('pyodide isolation: environment', () => {
  it('os.environ holds only the variables Pyodide defines itself', async () => {
    const out = await run(
      `import os, json\nprint(${JSON.stringify(CANARY)} in repr(os.environ))\nprint(json.dumps(sorted(os.environ)))`,
    );
    const [found, names] = out.trim().split('\n');
    expect(found).toBe('False');
    expect(JSON.parse(names ?? '[]')).toEqual(['HOME', 'LANG', 'LD_LIBRARY_PATH', 'LOGNAME', 'PATH', 'PWD', 'PYTHONINSPECT', 'USER', '_']);
  });

  it('js.process.env is unreachable: the js module cannot be imported', async () => {
    expect(await raises('import js\nprint(js.process.env)')).toBe('ModuleNotFoundError');
    expect(await raises('from js import process')).toBe('ModuleNotFoundError');
    expect(await raises('import importlib\nimportlib.import_module("js")')).toBe('ModuleNotFoundError');
  });

  it('sys.executable and argv do not name host paths', async () => {
    const out = await run('import sys\nprint(sys.executable)\nprint(sys.argv)');
    expect(out).not.toContain(process.cwd());
    expect(out).not.toContain('node');
  });
});

describe('pyodide isolation: files', () => {
  it('cannot read /etc/passwd or a file of this repository', async () => {
    expect(await raises("open('/etc/passwd').read()")).toBe('FileNotFoundError');
    expect(await raises(`open(${JSON.stringify(REPO_FILE)}).read()`)).toBe('FileNotFoundError');
    expect(await run(`import os\nprint(os.path.exists(${JSON.stringify(resolve(REPO_FILE, '..'))}))`)).toBe('False\n');
  });

  it('writes land in the in-memory filesystem, never on the host', async () => {
    const target = join(scratch, 'written-by-python.txt');
    await run(
      `import os\nos.makedirs(${JSON.stringify(scratch)}, exist_ok=True)\nopen(${JSON.stringify(target)}, 'w').write('x')\nprint(open(${JSON.stringify(target)}).read())`,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('the filesystem has no host mount and no way to make one', async () => {
    const roots = (await run("import os\nprint(sorted(os.listdir('/')))")).trim();
    expect(roots).toBe("['dev', 'home', 'lib', 'proc', 'tmp']");
    expect(await raises('import pyodide_js\npyodide_js.mountNodeFS("/mnt", "/")')).toBe('ModuleNotFoundError');
    expect(await raises('from pyodide_js import FS')).toBe('ModuleNotFoundError');
  });
});

describe('pyodide isolation: network', () => {
  it('pyodide.http and js.fetch are not importable', async () => {
    expect(await raises('import pyodide.http')).toBe('ModuleNotFoundError');
    expect(await raises('from pyodide.http import pyfetch')).toBe('ModuleNotFoundError');
    expect(await raises('from js import fetch')).toBe('ModuleNotFoundError');
  });

  it('sockets and urllib cannot connect to a server on localhost', async () => {
    expect(await raises(`import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=2)`)).toBe('PermissionError');
    expect(await raises('import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM)')).toBe('PermissionError');
    await raises(`import urllib.request\nurllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2)`);
    expect(connections).toBe(0);
  });
});

describe('pyodide isolation: processes', () => {
  it('os.system, subprocess and os.popen run nothing on the host', async () => {
    const marker = join(scratch, 'spawned-by-python');
    const status = await run(`import os\nprint(os.system(${JSON.stringify(`touch ${marker}`)}))`);
    expect(status.trim()).not.toBe('0');
    expect(await raises(`import subprocess\nsubprocess.run(['touch', ${JSON.stringify(marker)}])`)).toMatch(/Error$/);
    await session.execute(`import os\nos.popen(${JSON.stringify(`touch ${marker}`)}).read()`);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("pyodide isolation: the worker's JavaScript", () => {
  it('js, pyodide_js, pyodide.ffi, _pyodide_core and ctypes are blocked, also through _imp', async () => {
    for (const name of ['js', 'pyodide_js', 'pyodide', 'pyodide.ffi', 'pyodide.code', '_pyodide', '_pyodide_core', 'ctypes']) {
      expect(await raises(`import ${name}`)).toBe('ModuleNotFoundError');
    }
    const bypass =
      'import _imp, importlib.machinery\n' +
      "_imp.create_builtin(importlib.machinery.ModuleSpec('_pyodide_core', None, origin='built-in'))";
    expect(await raises(bypass)).toBe('ModuleNotFoundError');
  });

  it('no JavaScript object or JavaScript factory is reachable through the garbage collector', async () => {
    const out = await run(
      'import gc\n' +
        'factories = ("to_js", "create_proxy", "create_once_callable", "run_js", "raw_call", "run_sync")\n' +
        'proxies, found = 0, []\n' +
        'for obj in gc.get_objects():\n' +
        '    for ref in gc.get_referents(obj):\n' +
        '        if any(c.__name__ == "JsProxy" for c in type(ref).__mro__) and not isinstance(ref, type):\n' +
        '            proxies += 1\n' +
        '    if isinstance(obj, dict):\n' +
        '        found += [k for k, v in list(obj.items()) if k in factories and callable(v)]\n' +
        'print(proxies, sorted(set(found)))',
    );
    expect(out).toBe('0 []\n');
  });

  it('the emscripten system() and eval imports are disarmed', async () => {
    const out = await run('import os\nprint(os.system("true"), os.system("echo hi"))');
    expect(out.trim()).toBe('-1 -1');
  });
});
