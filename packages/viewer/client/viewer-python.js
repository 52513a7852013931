// @rlms/viewer client, part 2 of 4: light Python syntax highlighting for code blocks. Tokens become
// <span class="tok-…"> elements holding text nodes (never HTML), and search marks can span tokens.
var PY_KEYWORDS = toSet(
  'and as assert async await break class continue def del elif else except finally for from global if import in is lambda match case nonlocal not or pass raise return try while with yield',
);
var PY_CONSTANTS = toSet('True False None');
var PY_BUILTINS = toSet(
  'abs all any bool bytes callable chr dict dir divmod enumerate filter float format frozenset getattr hasattr hash hex id input int isinstance issubclass iter len list map max min next object open ord pow print range repr reversed round set setattr slice sorted str sum super tuple type vars zip Exception ValueError KeyError TypeError IndexError RuntimeError',
);
var RLM_NAMES = toSet('context llm_query llm_query_batched rlm_query rlm_query_batched FINAL FINAL_VAR SHOW_VARS history');

// One alternative per token kind, tried left to right at each position.
var PY_TOKEN = new RegExp(
  [
    '(⟪rlms view: [^⟫]*⟫)', // 1 the viewer's omission note
    '(#[^\\n]*)', // 2 comment
    '((?:\\b[rRbBuUfF]{1,2})?(?:"""[\\s\\S]*?(?:"""|(?![\\s\\S]))|\'\'\'[\\s\\S]*?(?:\'\'\'|(?![\\s\\S]))|"(?:[^"\\\\\\n]|\\\\[\\s\\S])*"?|\'(?:[^\'\\\\\\n]|\\\\[\\s\\S])*\'?))', // 3 string
    '(\\b(?:0[xXoObB][0-9a-fA-F_]+|\\d[\\d_]*(?:\\.[\\d_]*)?(?:[eE][+-]?\\d+)?j?)|\\.\\d[\\d_]*(?:[eE][+-]?\\d+)?)', // 4 number
    '(^[ \\t]*@[A-Za-z_][\\w.]*)', // 5 decorator
    '([A-Za-z_][\\w]*)', // 6 name
  ].join('|'),
  'gm',
);

function toSet(words) {
  var set = Object.create(null);
  var list = words.split(' ');
  for (var i = 0; i < list.length; i++) set[list[i]] = true;
  return set;
}

// Splits Python source into [className, text] pieces that concatenate back to `code` exactly.
function tokenizePython(code) {
  var pieces = [];
  var at = 0;
  var previousName = '';
  var match;
  PY_TOKEN.lastIndex = 0;
  while ((match = PY_TOKEN.exec(code)) !== null) {
    if (match[0].length === 0) {
      PY_TOKEN.lastIndex++;
      continue;
    }
    if (match.index > at) pieces.push(['', code.slice(at, match.index)]);
    var kind = '';
    if (match[1]) kind = 'omitted';
    else if (match[2]) kind = 'tok-com';
    else if (match[3]) kind = 'tok-str';
    else if (match[4]) kind = 'tok-num';
    else if (match[5]) kind = 'tok-dec';
    else {
      var name = match[6];
      if (previousName === 'def' || previousName === 'class') kind = 'tok-def';
      else if (PY_KEYWORDS[name]) kind = 'tok-kw';
      else if (PY_CONSTANTS[name]) kind = 'tok-const';
      else if (RLM_NAMES[name]) kind = 'tok-rlm';
      else if (PY_BUILTINS[name]) kind = 'tok-builtin';
      previousName = name;
    }
    if (!match[6]) previousName = '';
    pieces.push([kind, match[0]]);
    at = match.index + match[0].length;
  }
  if (at < code.length) pieces.push(['', code.slice(at)]);
  return pieces;
}

// Where `term` (lower case) occurs in `text`, as [start, end) pairs.
function findRanges(text, term) {
  var ranges = [];
  if (!term) return ranges;
  var lower = text.toLowerCase();
  // Lower-casing can change lengths (rare); then offsets would drift, so no marks.
  if (lower.length !== text.length) return ranges;
  for (var at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + term.length)) ranges.push([at, at + term.length]);
  return ranges;
}

// Appends highlighted `code` to `parent`, wrapping occurrences of `term` in <mark> (across tokens too).
function appendCode(parent, code, term) {
  var pieces = tokenizePython(code);
  var ranges = findRanges(code, term);
  var r = 0;
  var offset = 0;
  for (var p = 0; p < pieces.length; p++) {
    var kind = pieces[p][0];
    var text = pieces[p][1];
    var end = offset + text.length;
    var holder = kind ? el('span', { className: kind }) : parent;
    var at = offset;
    while (at < end) {
      while (r < ranges.length && ranges[r][1] <= at) r++;
      var range = ranges[r];
      if (!range || range[0] >= end) {
        holder.appendChild(document.createTextNode(text.slice(at - offset)));
        at = end;
      } else if (range[0] > at) {
        holder.appendChild(document.createTextNode(text.slice(at - offset, range[0] - offset)));
        at = range[0];
      } else {
        var stop = Math.min(range[1], end);
        holder.appendChild(el('mark', null, text.slice(at - offset, stop - offset)));
        at = stop;
      }
    }
    if (holder !== parent) parent.appendChild(holder);
    offset = end;
  }
}
