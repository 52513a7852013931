// @rlms/viewer: the trajectory page's script (inlined into every page). Builds the page from the JSON
// embedded in #rlms-trajectory. No network, no dependencies. Nodes are collapsed by default and their
// content is built the first time they are opened, so trajectories with thousands of sub-calls load fast.
'use strict';
(function () {
  var TEXT_PREVIEW = 20000; // characters of a text block shown before "Show all"
  var PAGE = 200; // sub-calls rendered per page in a step
  var MAX_RESULTS = 300; // search results listed

  var data = JSON.parse(document.getElementById('rlms-trajectory').textContent);
  var app = document.getElementById('app');

  // ---------------------------------------------------------------- formatting
  function fmtInt(n) {
    return typeof n === 'number' && isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
  }
  function fmtCost(usd) {
    if (typeof usd !== 'number' || !isFinite(usd)) return '–';
    return '$' + usd.toFixed(usd >= 100 ? 0 : usd >= 1 ? 2 : 4);
  }
  function fmtMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    var minutes = Math.floor(ms / 60000);
    return minutes + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }
  function tokensOf(usage) {
    if (!usage) return 0;
    if (typeof usage.totalTokens === 'number') return usage.totalTokens;
    return (usage.inputTokens || 0) + (usage.outputTokens || 0);
  }
  function oneLine(text, max) {
    var line = String(text || '').replace(/\s+/g, ' ').trim();
    return line.length > max ? line.slice(0, max - 1) + '…' : line;
  }
  function statusClass(status) {
    if (status === 'completed') return 'ok';
    if (status === 'error' || status === 'aborted') return 'bad';
    return status ? 'warn' : 'plain';
  }

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        var value = props[key];
        if (value === undefined || value === null) continue;
        if (key === 'text') node.textContent = value;
        else if (key === 'className') node.className = value;
        else if (key === 'testid') node.setAttribute('data-testid', value);
        else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }
  function badge(text, kind, title) {
    return el('span', { className: 'badge ' + (kind || ''), title: title }, text);
  }

  // Appends `text` to `parent`, wrapping occurrences of `term` (lower case) in <mark> and the viewer's
  // omission notes in a styled span.
  function appendText(parent, text, term) {
    var parts = text.split(/(⟪rlms view: [^⟫]*⟫)/);
    for (var p = 0; p < parts.length; p++) {
      var part = parts[p];
      if (!part) continue;
      if (part.indexOf('⟪rlms view: ') === 0) {
        parent.appendChild(el('span', { className: 'omitted' }, part));
        continue;
      }
      if (!term) {
        parent.appendChild(document.createTextNode(part));
        continue;
      }
      var lower = part.toLowerCase();
      var at = 0;
      var hit;
      while ((hit = lower.indexOf(term, at)) !== -1) {
        if (hit > at) parent.appendChild(document.createTextNode(part.slice(at, hit)));
        parent.appendChild(el('mark', null, part.slice(hit, hit + term.length)));
        at = hit + term.length;
      }
      if (at < part.length) parent.appendChild(document.createTextNode(part.slice(at)));
    }
  }

  // A text block: label + <pre>, long texts cut at TEXT_PREVIEW with a "Show all" button.
  function textBlock(label, text, kind, extra) {
    text = String(text == null ? '' : text);
    var pre = el('pre', { className: 'text ' + (kind || '') });
    pre.__full = text;
    var block = el('div', { className: 'block' }, el('div', { className: 'block-label' }, label, extra));
    block.appendChild(pre);
    fillPre(pre, false, '');
    return block;
  }
  function fillPre(pre, full, term) {
    var text = pre.__full;
    pre.textContent = '';
    var cut = !full && text.length > TEXT_PREVIEW;
    if (text.length === 0) pre.appendChild(el('span', { className: 'empty' }, '(empty)'));
    else appendText(pre, cut ? text.slice(0, TEXT_PREVIEW) : text, term);
    var next = pre.nextSibling;
    if (next && next.className === 'show-all') next.remove();
    if (cut && pre.parentNode) {
      var button = el(
        'button',
        {
          className: 'show-all',
          type: 'button',
          onclick: function () {
            fillPre(pre, true, term);
          },
        },
        'Show all ' + fmtInt(text.length) + ' characters',
      );
      pre.parentNode.insertBefore(button, pre.nextSibling);
    }
  }

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
      var subcalls = Array.isArray(step.subcalls) ? step.subcalls : [];
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
        if (result.answer !== undefined) body.appendChild(textBlock('Answer', result.answer, 'final'));
        if (result.statusDetail) body.appendChild(el('p', { className: 'detail-line' }, result.statusDetail));
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
        r ? el('span', { className: 'target' }, fmtMs(r.durationMs)) : badge('not run', 'plain'),
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

  // ---------------------------------------------------------------- summary
  function stat(label, value, sub, testid, raw) {
    return el(
      'div',
      { className: 'stat' },
      el('div', { className: 'label' }, label),
      el('div', { className: 'value', testid: testid, 'data-value': raw === undefined ? undefined : String(raw) }, value),
      sub ? el('div', { className: 'sub' }, sub) : null,
    );
  }
  function usageTable(title, rows) {
    var table = el(
      'table',
      { className: 'usage' },
      el('tr', null, el('th', null, title), el('th', null, 'calls'), el('th', null, 'input'), el('th', null, 'output'), el('th', null, 'total'), el('th', null, 'cost')),
    );
    for (var i = 0; i < rows.length; i++) {
      var u = rows[i][1] || {};
      table.appendChild(
        el('tr', null, el('td', null, rows[i][0]), el('td', null, fmtInt(u.calls)), el('td', null, fmtInt(u.inputTokens)), el('td', null, fmtInt(u.outputTokens)), el('td', null, fmtInt(u.totalTokens)), el('td', null, fmtCost(u.costUsd))),
      );
    }
    return table;
  }

  function renderSummary() {
    var result = data.result;
    var total = result && result.usage && result.usage.total;
    var box = el('section', { className: 'summary', testid: 'summary' });
    box.appendChild(el('div', { className: 'label' }, 'Question'));
    box.appendChild(el('div', { className: 'question' }, data.question || ''));
    var meta = el(
      'div',
      { className: 'meta' },
      badge(result ? result.status : 'unfinished', statusClass(result && result.status)),
      el('span', null, 'model ', el('b', null, data.model || '?')),
      data.subModel && data.subModel !== data.model ? el('span', null, 'sub-model ', el('b', null, data.subModel)) : null,
      el('span', null, 'sandbox ', el('b', null, data.sandbox || '?')),
      typeof data.startedAt === 'number' ? el('span', null, 'started ', el('b', null, new Date(data.startedAt).toLocaleString())) : null,
      el('span', null, 'run ', el('b', null, data.runId)),
    );
    box.appendChild(meta);
    var sum = root.sum;
    box.appendChild(
      el(
        'div',
        { className: 'stats' },
        stat('Tokens', fmtInt(total ? total.totalTokens : sum.tokens), fmtInt(total ? total.inputTokens : sum.input) + ' in · ' + fmtInt(total ? total.outputTokens : sum.output) + ' out', 'total-tokens', total ? total.totalTokens : sum.tokens),
        stat('Cost', fmtCost(result ? result.costUsd : sum.cost), total && total.callsWithoutCost ? total.callsWithoutCost + ' call(s) unpriced' : null, 'total-cost', result ? result.costUsd : sum.cost),
        stat('Duration', fmtMs(result && result.durationMs), null, 'total-duration', result && result.durationMs),
        stat('Iterations', fmtInt(result ? result.iterations : root.children.length), null, 'total-iterations', result ? result.iterations : root.children.length),
        stat('Sub-calls', fmtInt(result ? result.subcalls : subcallCount), 'whole tree', 'total-subcalls', result ? result.subcalls : subcallCount),
        stat('Model calls', fmtInt(total ? total.calls : sum.calls), null, 'total-calls', total ? total.calls : sum.calls),
      ),
    );
    if (result) {
      box.appendChild(el('div', { className: 'label' }, 'Answer'));
      var answer = textBlock('', result.answer, 'final');
      answer.className = 'block answer';
      answer.setAttribute('data-testid', 'answer');
      box.appendChild(answer);
      if (result.statusDetail) box.appendChild(el('p', { className: 'detail-line' }, result.statusDetail));
      if (result.error) box.appendChild(el('p', { className: 'error-line' }, result.error));
    } else box.appendChild(el('p', { className: 'detail-line' }, 'This run has no result: it was saved before it ended.'));

    if (result && result.usage) {
      var usage = el('details', { className: 'more' }, el('summary', null, 'Usage by model and depth'));
      var byModel = Object.keys(result.usage.byModel || {}).map(function (key) {
        return [key, result.usage.byModel[key]];
      });
      var byDepth = Object.keys(result.usage.byDepth || {}).map(function (key) {
        return ['depth ' + key, result.usage.byDepth[key]];
      });
      usage.appendChild(usageTable('model', byModel));
      usage.appendChild(usageTable('depth', byDepth));
      box.appendChild(usage);
    }
    var ctx = data.context || {};
    var m = ctx.metadata;
    if (m) {
      var context = el('details', { className: 'more' }, el('summary', null, 'Context: ' + m.type + ', ' + fmtInt(m.totalChars) + ' characters' + (m.type === 'str' ? '' : ', ' + fmtInt(m.length) + ' item(s)')));
      if (m.documents && m.documents.length) {
        var table = el('table', { className: 'usage' }, el('tr', null, el('th', null, 'document'), el('th', null, 'characters')));
        for (var i = 0; i < m.documents.length; i++) {
          table.appendChild(el('tr', null, el('td', null, m.documents[i].key), el('td', null, fmtInt(m.documents[i].chars))));
        }
        context.appendChild(table);
      }
      if (ctx.value !== undefined) context.appendChild(textBlock('Value', ctx.value, ''));
      box.appendChild(context);
    }
    if (data.systemPrompt) {
      var prompt = el('details', { className: 'more' }, el('summary', null, 'System prompt'));
      prompt.appendChild(textBlock('', data.systemPrompt, 'prose'));
      box.appendChild(prompt);
    }
    return box;
  }

  // ---------------------------------------------------------------- reveal + search
  function ancestors(node) {
    var chain = [];
    for (var n = node; n; n = n.parent) chain.unshift(n);
    return chain;
  }
  function ensureElement(node) {
    if (node.el) return node.el;
    var parent = node.parent;
    if (!parent) return null;
    ensureElement(parent);
    if (parent.el) {
      parent.el.open = true;
      parent.build();
    }
    if (node.kind === 'subcall' && !node.el) renderSubcallsUpTo(parent, Math.ceil((node.index + 1) / PAGE) * PAGE);
    return node.el || null;
  }
  function reveal(node, term) {
    var chain = ancestors(node);
    for (var i = 1; i < chain.length; i++) {
      var element = ensureElement(chain[i]);
      if (element) {
        element.open = true;
        chain[i].build();
      }
    }
    var target = node.el || document.querySelector('.summary');
    if (term && target) {
      var pres = target.querySelectorAll(':scope > .body > .block > pre, :scope > .body > .exec > .block > pre, :scope > .body > .more > .block > pre');
      for (var p = 0; p < pres.length; p++) {
        if (pres[p].__full && pres[p].__full.toLowerCase().indexOf(term) !== -1) {
          fillPre(pres[p], pres[p].__full.length <= TEXT_PREVIEW * 5, term);
          var parentMore = pres[p].closest('details.more');
          if (parentMore) parentMore.open = true;
        }
      }
    }
    if (target) {
      target.scrollIntoView({ block: 'start' });
      target.classList.remove('flash');
      void target.offsetWidth;
      target.classList.add('flash');
      var mark = target.querySelector('mark');
      if (mark) mark.scrollIntoView({ block: 'center' });
    }
  }
  function pathLabel(node) {
    return ancestors(node)
      .slice(1)
      .map(function (n) {
        return n.kind === 'run' ? 'child run' : n.label;
      })
      .join(' › ') || 'Root run';
  }
  function snippet(node, term) {
    var text = searchText(node);
    var at = text.indexOf(term);
    var start = Math.max(0, at - 60);
    // Show the original case when lower-casing kept every offset (it nearly always does).
    var raw = node.original.length === text.length ? node.original : text;
    var piece = raw.slice(start, at + term.length + 80).replace(/\s+/g, ' ');
    var div = el('div', { className: 'snippet' });
    appendText(div, (start > 0 ? '…' : '') + piece, term);
    return div;
  }

  function buildToolbar() {
    var input = el('input', { type: 'search', placeholder: 'Search prompts, code, outputs, answers…', 'aria-label': 'Search the trajectory', testid: 'search' });
    var results = el('div', { className: 'results', hidden: '', testid: 'search-results' });
    var timer;
    function run() {
      var term = input.value.trim().toLowerCase();
      results.textContent = '';
      if (term.length < 2) {
        results.hidden = true;
        return;
      }
      var found = [];
      for (var i = 0; i < nodes.length && found.length < MAX_RESULTS; i++) if (searchText(nodes[i]).indexOf(term) !== -1) found.push(nodes[i]);
      results.appendChild(el('div', { className: 'count', testid: 'search-count' }, found.length === 0 ? 'No match' : found.length >= MAX_RESULTS ? 'First ' + MAX_RESULTS + ' matches' : found.length + ' match' + (found.length === 1 ? '' : 'es')));
      for (var f = 0; f < found.length; f++) {
        (function (node) {
          results.appendChild(
            el(
              'button',
              {
                type: 'button',
                'data-node': String(node.id),
                onclick: function () {
                  results.hidden = true;
                  reveal(node, term);
                },
              },
              el('div', { className: 'where' }, pathLabel(node)),
              snippet(node, term),
            ),
          );
        })(found[f]);
      }
      results.hidden = false;
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') {
        clearTimeout(timer);
        run();
        var first = results.querySelector('button');
        if (first) first.click();
      } else if (event.key === 'Escape') results.hidden = true;
    });
    input.addEventListener('focus', function () {
      if (results.childNodes.length) results.hidden = false;
    });
    document.addEventListener('click', function (event) {
      if (!event.target.closest || !event.target.closest('.search')) results.hidden = true;
    });
    var collapse = el(
      'button',
      {
        className: 'tool',
        type: 'button',
        title: 'Collapse every open node',
        onclick: function () {
          var open = document.querySelectorAll('details.node[open]');
          for (var i = 0; i < open.length; i++) open[i].open = false;
        },
      },
      'Collapse all',
    );
    return el('header', { className: 'toolbar' }, el('div', { className: 'brand' }, 'rlms ', el('span', null, 'trajectory')), el('div', { className: 'search' }, input, results), collapse);
  }

  // ---------------------------------------------------------------- page
  var page = el('main', { className: 'page' });
  page.appendChild(renderSummary());
  page.appendChild(el('h2', { className: 'section' }, 'Iterations'));
  var tree = el('div', { className: 'tree', testid: 'tree' });
  if (root.children.length === 0) tree.appendChild(el('p', { className: 'empty' }, 'No iterations recorded.'));
  appendSteps(tree, root);
  page.appendChild(tree);
  app.appendChild(buildToolbar());
  app.appendChild(page);
  document.documentElement.setAttribute('data-ready', 'true');
})();
