import { ConfigurationError } from '@rlms/core';
import { runServeCommand } from '@rlms/server';
import type { CliIO } from './cli-io.js';
import { MODEL_FLAGS, createFacade, settingsFromFlags, type ModelFlagValues } from './model-flags.js';
import { checkBaseURL } from './preflight.js';

/**
 * `rlms serve`: an OpenAI-compatible endpoint backed by an RLM (`@rlms/server`), with the same model,
 * sandbox and budget flags as `rlms ask`. Returns the exit code once the server has shut down.
 */
export function runServe(argv: readonly string[], io: CliIO): Promise<number> {
  return runServeCommand(argv, {
    options: MODEL_FLAGS,
    io,
    buildRLM: async (flags) => {
      const values = flags.values as ModelFlagValues;
      const rlm = createFacade(settingsFromFlags(values, io.env, 'serve'));
      await rlm.ready();
      const baseURL = typeof values['base-url'] === 'string' ? values['base-url'] : undefined;
      if (baseURL !== undefined) {
        const problem = await checkBaseURL(baseURL);
        if (problem !== undefined) {
          await rlm.close();
          throw new ConfigurationError(`Cannot reach the model server at ${baseURL} (${problem}): check --base-url and that the server is running.`, { code: 'unreachable-base-url' });
        }
      }
      return rlm;
    },
  });
}
