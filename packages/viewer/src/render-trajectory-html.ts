import { readFileSync } from 'node:fs';
import type { Trajectory } from '@rlms/core';
import { assertTrajectory, prepareTrajectory, type PrepareOptions } from './prepare-trajectory.js';

/** Options of `renderTrajectoryHtml`. */
export interface RenderOptions extends PrepareOptions {
  /** Page title. Default: "rlms trajectory — " and the start of the question. */
  readonly title?: string;
}

let assets: { css: string; js: string } | undefined;

/** The client script's parts, concatenated in this order into one function scope. */
const SCRIPT_PARTS = ['viewer-format.js', 'viewer-python.js', 'viewer-tree.js', 'viewer-page.js'];

/** The page's stylesheet and script, shipped as files beside `dist/` in `client/`. */
function loadAssets(): { css: string; js: string } {
  if (assets === undefined) {
    const read = (name: string) => readFileSync(new URL(`../client/${name}`, import.meta.url), 'utf8');
    const css = read('viewer.css');
    const js =
      '// @rlms/viewer: builds the page from the JSON in #rlms-trajectory. No network, no dependencies.\n' +
      `(function () {\n'use strict';\n${SCRIPT_PARTS.map(read).join('\n')}\n})();`;
    if (/<\/(style|script)/i.test(css + js)) throw new Error('@rlms/viewer: its client assets must not contain </style or </script.');
    assets = { css, js };
  }
  return assets;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is written `\u003c` (so neither
 * `</script>` nor `<!--` can end or alter the element) and U+2028/U+2029 are escaped too.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Renders a trajectory as one self-contained HTML page: inline CSS and JavaScript, no network
 * fetches (a Content-Security-Policy forbids them), the trajectory embedded as JSON. The page shows
 * the run as a tree (iterations with the model's reasoning, code and output; sub-calls and child runs
 * nested, collapsed by default and built on expand), usage, cost, timings and status per node, and a
 * search over the whole trajectory.
 *
 * Very long strings are shortened (head and tail kept, see `maxStringChars`/`maxContextChars`);
 * numbers are embedded untouched.
 *
 * @throws `TrajectoryFormatError` when `trajectory` has no `runId` or `steps`.
 */
export function renderTrajectoryHtml(trajectory: Trajectory, options: RenderOptions = {}): string {
  assertTrajectory(trajectory);
  const { css, js } = loadAssets();
  const prepared = prepareTrajectory(trajectory, options);
  const question = typeof trajectory.question === 'string' ? trajectory.question.replace(/\s+/g, ' ').trim() : '';
  const title = options.title ?? `rlms trajectory — ${question.length > 80 ? `${question.slice(0, 79)}…` : question}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="@rlms/viewer">
<title>${escapeHtml(title)}</title>
<style>
${css}
</style>
</head>
<body>
<noscript><p class="noscript">This page needs JavaScript to show the trajectory.</p></noscript>
<div id="app"></div>
<script type="application/json" id="rlms-trajectory">${embedJson(prepared)}</script>
<script>
${js}
</script>
</body>
</html>
`;
}
