import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/core/testing';
import { preciseNow, type Interval } from '../util/intervals.js';
import { overheadPolicyReply, type OverheadPolicyOptions } from '../scripted/overhead-policy.js';

/** Settings of the scripted model server. */
export interface ScriptedServerSettings extends OverheadPolicyOptions {
  /** Fixed "thinking" time of every model reply, in ms. */
  readonly latencyMs: number;
}

/** What the server saw since the last `take()`. */
export interface ServerActivity {
  /** The simulated thinking window `[reply − latency, reply]` of each model request. */
  readonly thinking: readonly Interval[];
  readonly requests: number;
  readonly failures: readonly string[];
}

/** A started scripted server, in this process. */
export interface ScriptedServerCore {
  readonly baseURL: string;
  take(): ServerActivity;
  close(): Promise<void>;
}

/** Starts the OpenAI-compatible test server answering with the overhead policy, recording thinking windows. */
export async function startScriptedServerCore(settings: ScriptedServerSettings): Promise<ScriptedServerCore> {
  let thinking: Interval[] = [];
  let requests = 0;
  const server: OpenAICompatibleServer = await startOpenAICompatibleServer({
    latencyMs: settings.latencyMs,
    models: ['bench-model'],
    replies: (request) => {
      const end = preciseNow();
      thinking.push({ start: end - settings.latencyMs, end });
      requests++;
      return overheadPolicyReply(request, settings);
    },
  });
  return {
    baseURL: server.baseURL,
    take() {
      const activity: ServerActivity = { thinking, requests, failures: [...server.failures] };
      thinking = [];
      requests = 0;
      server.reset(); // drops recorded requests (sub-prompts hold the whole context)
      return activity;
    },
    close: () => server.close(),
  };
}
