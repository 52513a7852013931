// @rlms/viewer client, part 4 of 4: the run summary, reveal + search, and the page itself.
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
    box.appendChild(el('div', { className: 'label' }, result.status === 'completed' ? 'Answer' : 'Outcome'));
    box.appendChild(outcomeBlock(result, ''));
    if (result.status === 'completed' && result.statusDetail) box.appendChild(el('p', { className: 'detail-line' }, result.statusDetail));
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
  var contextSection = renderContext(data.context || {});
  if (contextSection) box.appendChild(contextSection);
  if (data.systemPrompt) {
    var prompt = el('details', { className: 'more' }, el('summary', null, 'System prompt'));
    prompt.appendChild(textBlock('', data.systemPrompt, 'prose'));
    box.appendChild(prompt);
  }
  return box;
}

// ---------------------------------------------------------------- context
// The documents of a dict or list context: from the page's preview (with text) or, without it, the
// metadata's names and sizes.
function contextDocuments(ctx, m) {
  var sizes = {};
  var listed = (m && m.documents) || [];
  for (var i = 0; i < listed.length; i++) sizes[listed[i].key] = listed[i].chars;
  if (Array.isArray(ctx.documents)) {
    return ctx.documents.map(function (doc) {
      return { key: doc.key, chars: typeof sizes[doc.key] === 'number' ? sizes[doc.key] : doc.chars, text: doc.text };
    });
  }
  return listed.map(function (doc) {
    return { key: doc.key, chars: doc.chars };
  });
}
function renderDocument(doc) {
  var details = el(
    'details',
    { className: 'doc', testid: 'context-document' },
    el('summary', null, el('span', { className: 'doc-name' }, doc.key), el('span', { className: 'doc-size' }, fmtInt(doc.chars) + ' chars')),
  );
  var built = false;
  details.addEventListener('toggle', function () {
    if (!details.open || built) return;
    built = true;
    if (typeof doc.text === 'string') details.appendChild(textBlock('', doc.text, ''));
    else details.appendChild(el('p', { className: 'empty' }, 'Not embedded in this page (see --max-string / maxContextChars).'));
  });
  return details;
}
function renderContext(ctx) {
  var m = ctx.metadata;
  if (!m) return null;
  var docs = m.type === 'str' ? [] : contextDocuments(ctx, m);
  var summary = 'Context: ' + m.type + ', ' + fmtInt(m.totalChars) + ' characters' + (m.type === 'str' ? '' : ', ' + fmtInt(m.length) + (m.type === 'dict' ? ' document(s)' : ' item(s)'));
  var section = el('details', { className: 'more', testid: 'context' }, el('summary', null, summary));
  var built = false;
  section.addEventListener('toggle', function () {
    if (!section.open || built) return;
    built = true;
    if (docs.length) {
      var list = el('div', { className: 'documents', testid: 'context-documents' });
      for (var i = 0; i < docs.length; i++) list.appendChild(renderDocument(docs[i]));
      section.appendChild(list);
      var unlisted = (typeof m.length === 'number' ? m.length : docs.length) - docs.length;
      if (unlisted > 0) section.appendChild(el('p', { className: 'detail-line' }, '… and ' + fmtInt(unlisted) + ' more not listed.'));
    }
    if (typeof ctx.value === 'string') section.appendChild(textBlock('Value', ctx.value, ''));
    else if (ctx.value !== undefined && !docs.length) section.appendChild(textBlock('Value', JSON.stringify(ctx.value, null, 1), ''));
    else if (!docs.length) section.appendChild(el('p', { className: 'empty' }, 'The context value was not saved in this trajectory.'));
  });
  return section;
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
