// @rlms/viewer client, part 3 of 4: the index of runs, steps and sub-calls, and their collapsible
// nodes, built lazily on first open.
// ---------------------------------------------------------------- index of the tree
// Every run, step and sub-call becomes a node: { id, kind, obj, parent, label, sum, el, built }.
var nodes = [];
var runStart = typeof data.startedAt === 'number' ? data.startedAt : 0;
var runSpan = (data.result && data.result.durationMs) || 0;

function emptySum() {
  return { tokens: 0, input: 0, output: 0, cost: undefined, calls: 0 };
}
function addUsage(sum, usage, cost) {
  sum.calls += 1;
  sum.tokens += tokensOf(usage);
  sum.input += (usage && usage.inputTokens) || 0;
  sum.output += (usage && usage.outputTokens) || 0;
  if (typeof cost === 'number') sum.cost = (sum.cost || 0) + cost;
}
function addSum(sum, other) {
  sum.calls += other.calls;
  sum.tokens += other.tokens;
  sum.input += other.input;
  sum.output += other.output;
  if (typeof other.cost === 'number') sum.cost = (sum.cost || 0) + other.cost;
}

// The engine's sub-call ids end in a counter that grows as calls start: "call_<tree>_<base 36>".
function startSequence(call) {
  var match = /_([0-9a-z]+)$/.exec(String(call.id || ''));
  return match ? parseInt(match[1], 36) : NaN;
}
function compareNumbers(a, b) {
  return typeof a === 'number' && typeof b === 'number' && isFinite(a) && isFinite(b) ? a - b : 0;
}
// Sub-calls in the order the code made them (a batch in prompt order). Trajectories list them as they
// finished; the start time, the id's counter and `batchIndex` (when recorded) give the call order.
function inCallOrder(subcalls) {
  var keyed = subcalls.map(function (call, index) {
    return { call: call, index: index, started: call.startedAt, sequence: startSequence(call), batch: call.batchIndex };
  });
  keyed.sort(function (a, b) {
    return compareNumbers(a.started, b.started) || compareNumbers(a.sequence, b.sequence) || compareNumbers(a.batch, b.batch) || a.index - b.index;
  });
  return keyed.map(function (item) {
    return item.call;
  });
}

function indexRun(traj, parent, label) {
  var run = { id: nodes.length, kind: 'run', obj: traj, parent: parent, label: label, sum: emptySum(), children: [] };
  nodes.push(run);
  var steps = Array.isArray(traj.steps) ? traj.steps : [];
  for (var s = 0; s < steps.length; s++) {
    var step = steps[s];
    var stepNode = {
      id: nodes.length,
      kind: 'step',
      obj: step,
      parent: run,
      label: step.kind === 'final-answer' ? 'Final answer call' : 'Iteration ' + step.iteration,
      sum: emptySum(),
      own: emptySum(),
      children: [],
    };
    nodes.push(stepNode);
    run.children.push(stepNode);
    addUsage(stepNode.own, step.action && step.action.usage, step.action && step.action.costUsd);
    addSum(stepNode.sum, stepNode.own);
    var subcalls = inCallOrder(Array.isArray(step.subcalls) ? step.subcalls : []);
    for (var c = 0; c < subcalls.length; c++) {
      var call = subcalls[c];
      var callNode = {
        id: nodes.length,
        kind: 'subcall',
        obj: call,
        parent: stepNode,
        index: c,
        label: call.op + ' #' + (c + 1),
        sum: emptySum(),
      };
      nodes.push(callNode);
      stepNode.children.push(callNode);
      if (call.child) {
        callNode.childRun = indexRun(call.child, callNode, 'Child run');
        addSum(callNode.sum, callNode.childRun.sum);
      } else if (call.usage || typeof call.costUsd === 'number') addUsage(callNode.sum, call.usage, call.costUsd);
      addSum(stepNode.sum, callNode.sum);
    }
    addSum(run.sum, stepNode.sum);
  }
  return run;
}
var root = indexRun(data, null, 'Root run');
var subcallCount = nodes.filter(function (n) {
  return n.kind === 'subcall';
}).length;

function searchText(node) {
  if (node.haystack !== undefined) return node.haystack;
  var o = node.obj;
  var parts = [];
  if (node.kind === 'run') parts.push(o.question, o.result && o.result.answer);
  else if (node.kind === 'step') {
    parts.push(o.action && o.action.response);
    var execs = (o.observation && o.observation.executions) || [];
    for (var i = 0; i < execs.length; i++) {
      var r = execs[i].result || {};
      parts.push(r.stdout, r.stderr, r.error && r.error.message, r.error && r.error.traceback, r.final && r.final.text);
    }
    parts.push(o.observation && o.observation.feedback);
  } else parts.push(o.target, o.input, o.output, o.error);
  node.original = parts.filter(Boolean).join('\n');
  node.haystack = node.original.toLowerCase();
  return node.haystack;
}

// ---------------------------------------------------------------- node rendering
function timebar(startedAt, durationMs) {
  if (!runSpan || typeof startedAt !== 'number') return null;
  var left = Math.max(0, Math.min(100, ((startedAt - runStart) / runSpan) * 100));
  var width = Math.max(0, Math.min(100 - left, ((durationMs || 0) / runSpan) * 100));
  var bar = el('span', { className: 'timebar', title: 'started +' + fmtMs(startedAt - runStart) + ', took ' + fmtMs(durationMs) });
  var fill = el('span');
  fill.style.left = left + '%';
  fill.style.width = width + '%';
  bar.appendChild(fill);
  return bar;
}
function nums(sum, durationMs, titleExtra) {
  return el(
    'span',
    { className: 'nums' },
    el('span', { title: fmtInt(sum.input) + ' in / ' + fmtInt(sum.output) + ' out, ' + sum.calls + ' model call(s)' + (titleExtra || '') }, fmtInt(sum.tokens) + ' tok'),
    el('span', null, fmtCost(sum.cost)),
    el('span', null, fmtMs(durationMs)),
  );
}

// A collapsible node whose body is built by `build` on first open.
function collapsible(node, className, summaryChildren, build) {
  var details = el('details', { className: 'node ' + className, 'data-node': String(node.id) });
  var summary = el('summary');
  for (var i = 0; i < summaryChildren.length; i++) if (summaryChildren[i]) summary.appendChild(summaryChildren[i]);
  details.appendChild(summary);
  node.el = details;
  node.build = function () {
    if (node.built) return;
    node.built = true;
    var body = el('div', { className: 'body' });
    build(body);
    details.appendChild(body);
  };
  details.addEventListener('toggle', function () {
    if (details.open) node.build();
  });
  return details;
}

var STOPPED_EARLY = {
  max_iterations: 'the iteration limit was reached',
  budget_exhausted: 'a token or cost budget ran out',
  timeout: 'the time limit was reached',
};
// How a run ended: a completed run's answer in the green box; otherwise the status, why, and any
// partial answer in a red (failed, aborted) or amber (stopped by a budget) box.
function outcomeBlock(result, label) {
  var status = result.status;
  if (status === 'completed' || status === undefined) {
    var answer = textBlock(label, result.answer, 'final');
    answer.classList.add('answer');
    answer.setAttribute('data-testid', 'answer');
    return answer;
  }
  var failed = status === 'error' || status === 'aborted' || !STOPPED_EARLY[status];
  var title = status === 'aborted' ? 'Run aborted' : failed ? 'Run failed (' + status + ')' : 'Stopped early (' + status + '): ' + STOPPED_EARLY[status];
  var box = el('div', { className: 'outcome ' + (failed ? 'bad' : 'warn'), testid: 'run-outcome', role: 'status' });
  box.appendChild(el('div', { className: 'outcome-title' }, title));
  if (result.statusDetail) box.appendChild(el('p', { className: 'outcome-detail' }, result.statusDetail));
  if (result.error && result.error !== result.statusDetail) box.appendChild(el('p', { className: 'outcome-detail' }, result.error));
  if (typeof result.answer === 'string' && result.answer.length > 0) {
    var partial = textBlock(failed ? 'Partial answer' : 'Best-effort answer', result.answer, 'partial');
    partial.classList.add('answer');
    partial.setAttribute('data-testid', 'answer');
    box.appendChild(partial);
  } else box.appendChild(el('p', { className: 'outcome-detail empty' }, 'No answer.'));
  return box;
}

function renderRunNode(run) {
  var t = run.obj;
  var result = t.result || {};
  return collapsible(
    run,
    'run',
    [
      el('span', { className: 'title' }, run.label),
      el('span', { className: 'target' }, 'depth ' + t.depth),
      badge(result.status || 'unfinished', statusClass(result.status)),
      el('span', { className: 'preview' }, oneLine(t.question, 140)),
      nums(run.sum, result.durationMs),
    ],
    function (body) {
      body.appendChild(textBlock('Question', t.question, 'prose'));
      if (result.status || result.answer !== undefined) body.appendChild(outcomeBlock(result, 'Answer'));
      body.appendChild(el('div', { className: 'block-label' }, steps(run).length + ' iteration(s), ' + countSubcalls(run) + ' sub-call(s)'));
      appendSteps(body, run);
    },
  );
}
function steps(run) {
  return run.children;
}
function countSubcalls(run) {
  var total = 0;
  for (var i = 0; i < run.children.length; i++) total += run.children[i].children.length;
  return total;
}
function appendSteps(container, run) {
  for (var i = 0; i < run.children.length; i++) container.appendChild(renderStepNode(run.children[i]));
}

// The model's text with its code blocks replaced by a pointer, so reasoning reads on its own.
function reasoningOf(response) {
  var index = 0;
  return String(response || '')
    .replace(/```(?:repl|python|py)?[^\n]*\n[\s\S]*?```/g, function () {
      index += 1;
      return '[code block ' + index + ' below]';
    })
    .trim();
}

function renderStepNode(step) {
  var s = step.obj;
  var execs = (s.observation && s.observation.executions) || [];
  var failed = execs.some(function (e) {
    return e.result && (e.result.error || e.result.timedOut);
  });
  var final = execs.some(function (e) {
    return e.result && e.result.final;
  });
  var code = (s.action && s.action.code) || [];
  return collapsible(
    step,
    'step',
    [
      el('span', { className: 'title' }, step.label),
      code.length ? badge(code.length + ' code block' + (code.length === 1 ? '' : 's'), 'plain') : null,
      step.children.length ? badge(fmtInt(step.children.length) + ' sub-call' + (step.children.length === 1 ? '' : 's')) : null,
      failed ? badge('error', 'bad') : null,
      final ? badge('FINAL', 'ok') : null,
      el('span', { className: 'preview' }, oneLine(reasoningOf(s.action && s.action.response), 160)),
      timebar(s.startedAt, s.durationMs),
      nums(step.sum, s.durationMs, '; this model call: ' + fmtInt(step.own.tokens) + ' tok'),
    ],
    function (body) {
      var reasoning = reasoningOf(s.action && s.action.response);
      body.appendChild(textBlock('Model response', reasoning || '(code only)', 'prose'));
      for (var i = 0; i < code.length; i++) body.appendChild(renderExecution(code[i], execs[i], i));
      if (step.children.length) appendSubcalls(body, step);
      if (s.observation && s.observation.feedback) {
        var more = el('details', { className: 'more' }, el('summary', null, 'What the model saw next'));
        more.appendChild(textBlock('Feedback message', s.observation.feedback, ''));
        body.appendChild(more);
      }
    },
  );
}

function renderExecution(code, exec, index) {
  var box = el('div', { className: 'exec' });
  var r = exec && exec.result;
  box.appendChild(
    textBlock(
      'Code block ' + (index + 1),
      code,
      'code',
      r ? el('span', { className: 'target' }, 'ran in ' + fmtMs(r.durationMs)) : badge('not run', 'plain'),
    ),
  );
  if (!r) return box;
  if (r.stdout) box.appendChild(textBlock('Output', r.stdout, 'stdout'));
  if (r.stderr) box.appendChild(textBlock('Stderr', r.stderr, 'stderr'));
  if (r.error) box.appendChild(textBlock('Raised ' + r.error.type, (r.error.traceback || r.error.message || ''), 'error'));
  if (r.timedOut) box.appendChild(el('p', { className: 'error-line' }, 'Interrupted: the execution time limit was reached.'));
  if (r.final) box.appendChild(textBlock('FINAL', r.final.text, 'final'));
  if (!r.stdout && !r.stderr && !r.error && !r.final) box.appendChild(el('div', { className: 'empty' }, 'No output.'));
  return box;
}

function appendSubcalls(body, step) {
  var list = el('div', { className: 'subcalls' });
  body.appendChild(el('div', { className: 'block-label' }, 'Sub-calls (' + fmtInt(step.children.length) + ')'));
  body.appendChild(list);
  step.rendered = 0;
  step.list = list;
  step.more = el('button', {
    className: 'page-more',
    type: 'button',
    onclick: function () {
      renderSubcallsUpTo(step, step.rendered + PAGE);
    },
  });
  body.appendChild(step.more);
  renderSubcallsUpTo(step, PAGE);
}
function renderSubcallsUpTo(step, count) {
  var end = Math.min(step.children.length, count);
  var fragment = document.createDocumentFragment();
  for (var i = step.rendered; i < end; i++) fragment.appendChild(renderSubcallNode(step.children[i]));
  step.list.appendChild(fragment);
  step.rendered = Math.max(step.rendered, end);
  var left = step.children.length - step.rendered;
  step.more.hidden = left <= 0;
  step.more.textContent = 'Show ' + fmtInt(Math.min(PAGE, left)) + ' more (' + fmtInt(left) + ' left)';
}

function renderSubcallNode(call) {
  var c = call.obj;
  return collapsible(
    call,
    'subcall',
    [
      el('span', { className: 'title' }, '#' + (call.index + 1) + ' ' + c.op),
      typeof c.batchIndex === 'number' ? badge('prompt ' + (c.batchIndex + 1), 'plain', 'Its position in the batch of prompts') : null,
      el('span', { className: 'target' }, '→ ' + c.target),
      call.childRun ? badge('child run', '') : null,
      c.error ? badge('error', 'bad', c.error) : null,
      el('span', { className: 'preview' }, oneLine(c.input, 140)),
      timebar(c.startedAt, c.durationMs),
      nums(call.sum, c.durationMs),
    ],
    function (body) {
      body.appendChild(textBlock(c.op === 'tool' ? 'Arguments' : 'Prompt', c.input, 'prose'));
      body.appendChild(textBlock(c.op === 'tool' ? 'Result' : 'Reply', c.output, c.error ? 'error' : 'stdout'));
      if (c.error) body.appendChild(el('p', { className: 'error-line' }, c.error));
      if (call.childRun) body.appendChild(renderRunNode(call.childRun));
    },
  );
}

