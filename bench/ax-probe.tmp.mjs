import { startOpenAICompatibleServer } from '@rlms/core/testing';
import { ai, agent } from '@ax-llm/ax';
import { writeFileSync } from 'node:fs';
const log = [];
const server = await startOpenAICompatibleServer({
  replies: (req) => {
    log.push({ index: req.index, messages: req.messages, body: { ...req.body, messages: undefined } });
    return 'Javascript Code: console.log(1)';
  },
});
const llm = ai({ name: 'openai-compatible', apiKey: 'x', apiURL: server.baseURL, config: { model: 'test-model' } });
const a = agent('context:string, question:string -> answer:string', { contextFields: ['context'], maxTurns: 2 });
try {
  const r = await a.forward(llm, { context: 'abc '.repeat(5000), question: 'how many abc?' });
  console.log('result', r);
} catch (e) { console.log('error', e.message.slice(0, 500)); }
writeFileSync('/tmp/bx/ax-log.json', JSON.stringify(log, null, 1));
await server.close();
