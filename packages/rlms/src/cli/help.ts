/** Help texts of the `rlms` CLI. */
import { API_KEYS_ENV } from './serve-flags.js';

/** The model, sandbox and budget flags (`MODEL_FLAGS`), shared by `ask` and `serve`. */
const MODEL_AND_RUN_HELP = `Model:
  -m, --model <name>        root model (default gpt-4o): an OpenAI name, provider:model
                            (anthropic:claude-sonnet-4-5, google:…, ollama:…), or the model id on --base-url
      --sub-model <name>    cheaper model for llm_query sub-calls (default: --model)
      --base-url <url>      OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp…), e.g. http://localhost:8000/v1
      --api-key-env <name>  environment variable holding the model's API key (default OPENAI_API_KEY,
                            or the provider's own, e.g. ANTHROPIC_API_KEY)
      --context-window <n>  the root model's context window in tokens, when the server does not say

Run:
      --sandbox <name>      pyodide (default), local, docker, e2b, modal, daytona
      --sandbox-option <k=v>  a setting of the sandbox (repeatable; the value is JSON when it parses):
                            pyodide: memoryLimitMiB, jsHeapLimitMiB, warmPoolSize, memorySnapshot, interruptGraceMs
                            local: pythonPath, cwd, interruptGraceMs
                            docker: image (e.g. a local or private image), memoryMiB, cpus, pidsLimit, pull (missing|never)
                            e2b: template, timeoutMs · modal: app, image, cpu, memoryMiB · daytona: snapshot, image, cpu, memoryGiB
      --sandbox-config <f>  sandbox settings from a JSON file (the environment variable RLMS_SANDBOX_OPTIONS,
                            a JSON object, is read first; --sandbox-option overrides both)
      --mode <mode>         auto (default: a direct call when the context fits comfortably), rlm, direct
      --prompt-style <s>    default, or paper (models trained on the paper's format; automatic for rlm-qwen models)
      --cache <dir>         serve repeated model calls from replies cached in this folder (kept across runs)
      --max-depth <n>       recursion depth (default 1: sub-calls are plain model calls)
      --max-iterations <n>  root model turns (default 30)
      --max-tokens <n>      token budget of the whole run (default: none)
      --max-cost <usd>      cost budget in US dollars (default: none)
      --timeout <duration>  wall-clock limit: 600 (seconds), 10m, 1h (default: none)

`;

export const MAIN_HELP = `rlms: Recursive Language Models from the command line.

Answers questions over inputs far larger than a model's context window: the input is loaded
as a variable in a Python REPL, and the model writes code to search it and calls sub-models
on the pieces it needs.

Usage:
  rlms ask "<question>" --context <file|dir|glob|->... [options]
  rlms estimate --context <file|dir|glob|->... [--model <name>] [options]
  rlms replay <trajectory.json> [--sandbox <name>] [--json]
  rlms serve --port 8787 [--model <name>] [--sandbox <name>] [--api-key-file <file> | --no-auth]
  rlms view <trajectory.json> [--open]
  rlms <command> --help
  rlms --version

Commands:
  ask        answer a question over files, folders or stdin (answer on stdout, progress on stderr)
  estimate   count the tokens of a context and estimate the cost of a direct call vs an RLM run
  replay     re-run a saved trajectory with its model calls answered from the file (no API, no cost)
  serve      an OpenAI-compatible endpoint (POST /v1/chat/completions) backed by an RLM
  view       write a self-contained HTML viewer of a trajectory (runs as a collapsible tree)

Environment:
  OPENAI_API_KEY   key for OpenAI models (others: ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY…)

Examples:
  rlms ask "Trace the authentication flow. Give file paths and line numbers." --context ./src
  rlms ask "Top 5 issues and their root causes?" -c tickets.jsonl --model gpt-5 --sub-model gpt-5-mini
  rlms ask "Summarise" -c notes.md --base-url http://localhost:8000/v1 --model mit-oasys/rlm-qwen3-8b-v0.1
  rlms estimate --context ./src --model gpt-4o
`;

export const ASK_HELP = `Usage: rlms ask "<question>" --context <file|dir|glob|->... [options]

Answers the question; the answer goes to stdout, live progress to stderr.

Context (repeatable; at least one):
  -c, --context <path>      a file, a folder (loaded recursively; .gitignore honoured; binaries,
                            node_modules and .git skipped), a glob ('docs/**/*.md'), or - for stdin;
                            named pipes, sockets and devices are refused (pipe to - instead)
      --include <pattern>   only load folder files matching this gitignore-style pattern (repeatable)
      --exclude <pattern>   skip folder files matching this pattern (repeatable)
      --max-file-bytes <n>  skip folder and glob files larger than this (default 1048576); files named
                            directly load up to 256 MiB (a larger value raises that)
      --no-gitignore        load folder files even if .gitignore ignores them (secrets such as
                            .env and *.pem stay excluded); every skipped file is listed with -v

${MODEL_AND_RUN_HELP}Output:
      --save-trajectory <file>  write the run's trajectory JSON here (also on failure or Ctrl-C);
                            created readable by you only (0600), API keys and secret environment
                            values replaced by [REDACTED]
      --json                write the whole result as JSON to stdout (the trajectory without the
                            context; secrets redacted as for --save-trajectory)
      --include-context     with --json, keep the context in the trajectory
  -v, --verbose             print a detailed trace (code, outputs, sub-calls) instead of the status line
  -q, --quiet               no progress output
      --debug               print stack traces of errors

Exit codes: 0 answered, 1 error, 2 bad usage, 3 stopped by a limit (best answer printed), 130 interrupted.
Ctrl-C stops the run cleanly (the sandbox is freed, the trajectory still written); press it twice to force.
`;

export const ESTIMATE_HELP = `Usage: rlms estimate --context <file|dir|glob|->... [options]

Counts the tokens of a context and estimates what answering a question over it costs: one
direct call vs an RLM run, whether it fits the model's window, and which to use.

Options:
  -c, --context <path>      a file, folder, glob or - for stdin (repeatable)
      --include, --exclude, --max-file-bytes, --no-gitignore   as for ask
  -m, --model <name>        root model (default gpt-4o)
      --sub-model <name>    sub-model (default: --model)
      --question <text>     include the question in the count
      --context-window <n>  the root model's window in tokens, when not known
      --input-price <usd>   price per million input tokens, for models without a known price
      --output-price <usd>  price per million output tokens
      --json                print the estimate as JSON
      --debug               print stack traces of errors

Token counts are exact for OpenAI models (o200k_base, cl100k_base); for other models they are an
approximation (o200k_base, typically within 10–20 % of the model's own tokenizer). No API key is needed.
`;

export const REPLAY_HELP = `Usage: rlms replay <trajectory.json> [--sandbox <name>] [--json]

Re-runs a run saved with --save-trajectory (or saveTrajectory in code): every model call is answered
from the file (no API key, no cost), the code runs for real in a sandbox. Prints the answer and says
whether it matches the saved one (exit 0) or the run diverged (exit 1).

A trajectory file is untrusted input (it is shared in bug reports): its code runs in the Pyodide
sandbox (no access to this machine) whatever sandbox the file names. Only --sandbox on the command
line changes that; --sandbox local runs the file's code on this machine as you: only for files you trust.

Options:
  -s, --sandbox <name>   where the code runs: pyodide (default), local, docker, e2b, modal, daytona
      --max-bytes <n>    largest trajectory file read (default 268435456, 256 MiB)
      --json             print { matches, sandbox, status, answer, expectedAnswer, iterations, subcalls }
      --debug            print stack traces on errors
`;

export const SERVE_HELP = `Usage: rlms serve [options]

Serves the RLM as an OpenAI-compatible API: POST /v1/chat/completions (stream or not),
GET /v1/models, GET /health. Point any OpenAI client's base URL at http://HOST:PORT/v1.
Each request is answered like \`rlms ask\`: long message text becomes the context (see --context-threshold).

Server:
  -p, --port <n>              port to listen on (default 8080; 0 lets the OS pick)
      --host <addr>           address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
      --api-key-file <path>   accepted bearer tokens, one per line ('#' comments allowed);
                              keys in ${API_KEYS_ENV} (comma-separated) are accepted too
      --no-auth               serve without authentication (required when no key is given)
      --max-body <size>       largest request body: bytes, or with k/m/g (default 64m)
      --body-timeout <dur>    time to send the whole body; slower requests get 408 (default 60s)
      --headers-timeout <dur> time to send the request headers (default 30s)
      --max-schema-size <size>
                              largest response_format JSON Schema (default 256k)
      --max-schema-depth <n>  deepest nesting of subschemas in it (default 32)
      --max-schema-subschemas <n>
                              most subschemas in it (default 5000)
      --schema-timeout <dur>  time to check one answer against it, off the main thread (default 10s)
      --max-concurrency <n>   RLM runs at once; more requests get 429 (default 4)
      --model-name <id>       model id served and echoed (default "rlm")
      --context-threshold <n> message text longer than n chars goes into the context (default 4000)
      --shutdown-grace <dur>  on SIGTERM, time runs get to finish before being aborted (default 30s)
      --trajectory-dir <dir>  save each run's trajectory as <dir>/<completion id>.json (mode 0600)
  -q, --quiet                 no request log on stderr
      --debug                 print stack traces of errors
  -h, --help                  this help

${MODEL_AND_RUN_HELP}Budgets (--max-iterations, --max-tokens, --max-cost, --timeout) apply to each request's run.
A second SIGTERM/SIGINT aborts the running requests at once.
Exit codes: 0 after a clean shutdown, 1 error (port taken, model or sandbox unavailable), 2 bad usage.
`;

export const VIEW_HELP = `Usage: rlms view <trajectory.json> [options]

Writes a self-contained HTML page (no network access) showing the run as a tree: iterations with
the model's reasoning, code and output, sub-calls and child runs (collapsible), usage, cost,
timings and status per node, and a search. Prints the page's path.

Options:
  -o, --out <file>           where to write the page (default: the trajectory path with .html)
      --open                 open the page in the default browser (xdg-open / open / start)
      --max-string <n>       longest text kept whole in the page; longer ones keep head and tail
                             (default 200000)
      --debug                print stack traces of errors
  -h, --help                 this help

Exit codes: 0 written, 1 unreadable file or not a trajectory, 2 bad usage.
`;
