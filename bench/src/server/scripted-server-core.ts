import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { preciseNow, type Interval } from '../util/intervals.js';
import { detectDialect, overheadPolicyReply, type OverheadPolicyOptions, type PolicyDialect } from '../scripted/overhead-policy.js';
import { wholeRunPolicyReply } from '../scripted/whole-run-policy.js';

/** Settings of the scripted model server. */
export interface ScriptedServerSettings extends OverheadPolicyOptions {
  /** Fixed "thinking" time of every model reply, in ms. */
  readonly latencyMs: number;
  /** Which scripted policy answers: the overhead workload's (default) or the whole-run scenario's. */
  readonly policy?: 'overhead' | 'whole-run';
}

/** One model request the server answered. */
export interface ServerCall extends Interval {
  /** Who sent it (implementation and role). `start`/`end` is the simulated thinking window `[reply − latency, reply]`. */
  readonly dialect: PolicyDialect;
}

/** What the server saw since the last `take()`. */
export interface ServerActivity {
  readonly calls: readonly ServerCall[];
  readonly failures: readonly string[];
}

/** Sub-call dialects (everything that is not a root/actor/responder call). */
export const SUBCALL_DIALECTS: ReadonlySet<PolicyDialect> = new Set(['rlms-sub', 'ax-subquery', 'rlts-child']);
/** Root-iteration dialects: one request per root iteration. */
export const ROOT_DIALECTS: ReadonlySet<PolicyDialect> = new Set(['rlms-root', 'ax-actor', 'rlts-root']);

/** A started scripted server, in this process. */
export interface ScriptedServerCore {
  readonly baseURL: string;
  take(): ServerActivity;
  close(): Promise<void>;
}

/** Starts the OpenAI-compatible test server answering with the overhead policy, recording thinking windows. */
export async function startScriptedServerCore(settings: ScriptedServerSettings): Promise<ScriptedServerCore> {
  let calls: ServerCall[] = [];
  const server: OpenAICompatibleServer = await startOpenAICompatibleServer({
    latencyMs: settings.latencyMs,
    models: ['bench-model'],
    replies: (request) => {
      const end = preciseNow();
      calls.push({ dialect: detectDialect(request), start: end - settings.latencyMs, end });
      return settings.policy === 'whole-run' ? wholeRunPolicyReply(request, settings) : overheadPolicyReply(request, settings);
    },
  });
  return {
    baseURL: server.baseURL,
    take() {
      const activity: ServerActivity = { calls, failures: [...server.failures] };
      calls = [];
      server.reset(); // drops recorded requests (sub-prompts hold the whole context)
      return activity;
    },
    close: () => server.close(),
  };
}
