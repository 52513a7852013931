import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
const sb = createPyodideSandbox({ warmPoolSize: 0 });
const s = await sb.createSession({ host: { call: async () => null } });
const code = String.raw`
import gc
convs = [o for o in gc.get_objects() if type(o).__name__ == 'Js2PyConverter']
c = convs[0]
print(c.js2py_convert.__doc__, c.copy.__doc__)
for args in [(), (0,), (1,), (2,), (4,), (None,), ('globalThis',)]:
    try:
        v = c.js2py_convert(*args)
        print('ok', args, type(v), repr(v)[:100])
    except BaseException as e:
        print('err', args, type(e).__name__, str(e)[:150])
try:
    cc = c.copy()
    print('copy', type(cc))
except BaseException as e:
    print('copy err', type(e).__name__, e)
`;
const r = await s.execute(code, { timeoutMs: 20000 });
console.log(r.stdout, r.stderr, r.error);
await s.destroy(); await sb.close();
