import { startOpenAICompatibleServer } from '@rlms/core/testing';
import { overheadPolicyReply, detectDialect } from './dist/scripted/overhead-policy.js';
import { axImplementation } from './dist/peers/implementations.js';
import { makeWorkload } from './dist/overhead/workload.js';
const workload = makeWorkload(256 * 1024, 32768);
const server = await startOpenAICompatibleServer({ replies: (req) => { const r = overheadPolicyReply(req, { chunkChars: workload.chunkChars }); console.log('>>', detectDialect(req), JSON.stringify(r).slice(0, 150)); console.log('   user:', JSON.stringify(req.lastUserMessage).slice(-400)); return r; } });
const impl = await axImplementation(server.baseURL, 16);
console.log('answer', await impl.run(workload.question, workload.text), workload.expected);
await server.close();
