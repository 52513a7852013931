/**
 * Child-process entry of the scripted model server: keeps the server's CPU work and memory out
 * of the measured Node process. Settings come as JSON in argv[2]; talks over the IPC channel.
 */
import { startScriptedServerCore, type ScriptedServerSettings } from './scripted-server-core.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as ScriptedServerSettings;
const core = await startScriptedServerCore(settings);
process.on('message', (message: { type: string }) => {
  if (message.type === 'take') process.send?.({ type: 'activity', activity: core.take() });
  else if (message.type === 'close') {
    void core.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  void core.close().then(() => process.exit(0));
});
process.send?.({ type: 'ready', baseURL: core.baseURL });
