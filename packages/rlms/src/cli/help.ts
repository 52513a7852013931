/** Help texts of the `rlms` CLI. */

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
  rlms bench [--full]                  (in a checkout of the repository)
  rlms <command> --help
  rlms --version

Commands:
  ask        answer a question over files, folders or stdin (answer on stdout, progress on stderr)
  estimate   count the tokens of a context and estimate the cost of a direct call vs an RLM run
  replay     re-run a saved trajectory with its model calls answered from the file (no API, no cost)
  serve      an OpenAI-compatible endpoint (POST /v1/chat/completions) backed by an RLM
  view       write a self-contained HTML viewer of a trajectory (runs as a collapsible tree)
  bench      run the benchmarks of a repository checkout and write bench/RESULTS.md

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
      --max-file-bytes <n>  skip files larger than this (default 1048576)
      --no-gitignore        load folder files even if .gitignore ignores them (secrets such as
                            .env and *.pem stay excluded); every skipped file is listed with -v

Model:
  -m, --model <name>        root model (default gpt-4o): an OpenAI name, provider:model
                            (anthropic:claude-sonnet-4-5, google:…, ollama:…), or the model id on --base-url
      --sub-model <name>    cheaper model for llm_query sub-calls (default: --model)
      --base-url <url>      OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp…), e.g. http://localhost:8000/v1
      --api-key-env <name>  environment variable holding the API key (default OPENAI_API_KEY,
                            or the provider's own, e.g. ANTHROPIC_API_KEY)
      --context-window <n>  the root model's context window in tokens, when the server does not say

Run:
      --sandbox <name>      pyodide (default), local, docker, e2b, modal, daytona
      --mode <mode>         auto (default: a direct call when the context fits comfortably), rlm, direct
      --prompt-style <s>    default, or paper (models trained on the paper's format; automatic for rlm-qwen models)
      --cache <dir>         serve repeated model calls from replies cached in this folder (kept across runs)
      --max-depth <n>       recursion depth (default 1: sub-calls are plain model calls)
      --max-iterations <n>  root model turns (default 30)
      --max-tokens <n>      token budget of the whole run (default: none)
      --max-cost <usd>      cost budget in US dollars (default: none)
      --timeout <duration>  wall-clock limit: 600 (seconds), 10m, 1h (default: none)

Output:
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
