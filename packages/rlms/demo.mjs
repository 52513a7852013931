import { startOpenAICompatibleServer } from '@rlms/core/testing';
import { spawn } from 'node:child_process';
const { scriptedRlmReplies } = await import('./test/scripted-rlm.ts');
const server = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
const child = spawn(process.execPath, ['dist/cli.js', 'ask', 'Where is login?', '-c', '../core/src', '--base-url', server.baseURL, '-m', 'test-model', '--mode', 'rlm', ...process.argv.slice(2)], { stdio: 'inherit' });
await new Promise((r) => child.on('close', (code) => { console.log('EXIT', code); r(); }));
await server.close();
