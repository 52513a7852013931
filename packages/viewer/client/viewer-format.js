// @rlms/viewer client, part 1 of 4: settings, formatting and DOM helpers. The four parts are
// concatenated into one function scope (see render-trajectory-html.ts); `data` and `app` come first.
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
  pre.__code = kind === 'code';
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
  else if (pre.__code) appendCode(pre, cut ? text.slice(0, TEXT_PREVIEW) : text, term);
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

