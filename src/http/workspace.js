// The `kg serve --http` workspace: a Cypher editor (highlighting and completion from
// GET /kg/words, the REPL's lists and the graph's names), Run on Ctrl-Enter, errors marked at
// their position, history, and results drawn by view.js from POST /kg/view.
(function () {
  'use strict';
  var query = document.getElementById('kg-query');
  var highlight = document.getElementById('kg-highlight');
  var complete = document.getElementById('kg-complete');
  var errorBox = document.getElementById('kg-error');
  var historyBox = document.getElementById('kg-history');
  var words = { keywords: [], functions: [], labels: [], types: [], keys: [] };
  var keywordSet = {};
  var errorAt = null; // [start, end) offsets of the last error, in the editor's text
  var choices = [];
  var chosen = 0;

  function escapeHtml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  var TOKEN = /(\/\/[^\n]*)|('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?)|(`[^`]*`?)|(\$\w+)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_]\w*)|([\s\S])/g;

  function tokens(text) {
    var out = [];
    var m;
    var prev = '';
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      var cls = '';
      if (m[1]) cls = 'kg-cmt';
      else if (m[2]) cls = 'kg-str';
      else if (m[3] || m[4]) cls = 'kg-var';
      else if (m[5]) cls = 'kg-num';
      else if (m[6]) cls = prev === ':' ? 'kg-label' : (keywordSet[m[6].toUpperCase()] ? 'kg-kw' : '');
      out.push({ start: m.index, end: m.index + m[0].length, cls: cls });
      if (m[0].trim()) prev = m[0];
    }
    return out;
  }

  function paint() {
    var text = query.value;
    var html = '';
    tokens(text).forEach(function (t) {
      var piece = text.slice(t.start, t.end);
      var cls = t.cls;
      if (errorAt && t.start < errorAt[1] && t.end > errorAt[0]) cls = (cls + ' kg-err').trim();
      html += cls ? '<span class="' + cls + '">' + escapeHtml(piece) + '</span>' : escapeHtml(piece);
    });
    if (errorAt && errorAt[0] >= text.length) html += '<span class="kg-err"> </span>';
    highlight.innerHTML = html + '\n';
    highlight.scrollTop = query.scrollTop;
  }

  // The word being typed and what it completes: labels and types after `:`, keys after `.`.
  function context() {
    var before = query.value.slice(0, query.selectionStart);
    var m = /([A-Za-z_]\w*)$/.exec(before) || ['', ''];
    var word = m[1];
    var mark = before.charAt(before.length - word.length - 1);
    var pool;
    if (mark === ':') pool = words.labels.map(function (w) { return [w, 'label']; })
      .concat(words.types.map(function (w) { return [w, 'type']; }));
    else if (mark === '.') pool = words.keys.map(function (w) { return [w, 'key']; });
    else pool = words.keywords.map(function (w) { return [w, 'keyword']; })
      .concat(words.functions.map(function (w) { return [w, 'function']; }));
    return { word: word, pool: pool, explicit: mark === ':' || mark === '.' };
  }

  function closeCompletion() { complete.hidden = true; choices = []; }

  function showCompletion(force) {
    var c = context();
    if (!c.word && !(force || c.explicit)) return closeCompletion();
    var w = c.word.toLowerCase();
    choices = c.pool.filter(function (p) {
      return p[0].toLowerCase().indexOf(w) === 0 && p[0].toLowerCase() !== w;
    }).slice(0, 12);
    if (!choices.length) return closeCompletion();
    chosen = 0;
    complete.textContent = '';
    choices.forEach(function (p, i) {
      var li = document.createElement('li');
      li.textContent = p[0];
      var small = document.createElement('small');
      small.textContent = p[1];
      li.appendChild(small);
      if (i === 0) li.className = 'on';
      li.onmousedown = function (e) { e.preventDefault(); chosen = i; accept(); };
      complete.appendChild(li);
    });
    var lines = query.value.slice(0, query.selectionStart).split('\n');
    complete.style.top = Math.min(lines.length * 19 + 8, 80) + 'px';
    complete.style.left = Math.min(lines[lines.length - 1].length * 7.8 + 10, query.clientWidth - 170) + 'px';
    complete.hidden = false;
  }

  function accept() {
    var c = context();
    var pick = choices[chosen][0];
    var at = query.selectionStart;
    query.value = query.value.slice(0, at - c.word.length) + pick + query.value.slice(at);
    var caret = at - c.word.length + pick.length;
    query.setSelectionRange(caret, caret);
    closeCompletion();
    paint();
  }

  function moveChoice(by) {
    chosen = (chosen + by + choices.length) % choices.length;
    Array.prototype.forEach.call(complete.children, function (li, i) { li.className = i === chosen ? 'on' : ''; });
  }

  // Byte offset of a 1-based line and column (in characters) in the editor's text.
  function offsetOf(line, column) {
    var lines = query.value.split('\n');
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    return at + column - 1;
  }

  function showError(e) {
    var where = e.line ? e.line + ':' + e.column + ': ' : '';
    var kind = e.kgType ? e.kgType + (e.kgCode ? ' (' + e.kgCode + ')' : '') : e.code;
    errorBox.textContent = where + kind + ': ' + e.message;
    errorBox.hidden = false;
    errorBox.dataset.code = e.code || '';
    if (e.line) {
      errorBox.dataset.line = e.line;
      errorBox.dataset.column = e.column;
      var at = offsetOf(e.line, e.column);
      errorAt = [at, at + 1];
      query.focus();
      query.setSelectionRange(at, at);
    } else {
      errorAt = null;
    }
    paint();
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = '';
    delete errorBox.dataset.line;
    delete errorBox.dataset.column;
    errorAt = null;
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); });
  }

  function remember(text) {
    var list = history();
    list = [text].concat(list.filter(function (q) { return q !== text; })).slice(0, 50);
    try { localStorage.setItem('kg-history', JSON.stringify(list)); } catch (e) { /* private mode */ }
    fillHistory(list);
  }

  function history() {
    try { return JSON.parse(localStorage.getItem('kg-history') || '[]'); } catch (e) { return []; }
  }

  function fillHistory(list) {
    historyBox.length = 1;
    list.forEach(function (q) {
      var o = document.createElement('option');
      o.value = q;
      o.textContent = q.replace(/\s+/g, ' ').slice(0, 60);
      historyBox.appendChild(o);
    });
  }

  function expand(key) {
    var statement = 'MATCH (n)-[r]-(m) WHERE id(n) = $id RETURN n, r, m LIMIT 200';
    post('/kg/view', { statement: statement, parameters: { id: key } }).then(function (answer) {
      if (answer.errors) return showError(answer.errors[0]);
      KgView.merge(answer.result);
      KgView.select('n' + key);
    });
  }

  function run() {
    var text = query.value.trim().replace(/;\s*$/, '');
    if (!text) return;
    closeCompletion();
    document.body.dataset.running = '1';
    post('/kg/view', { statement: text, parameters: {} }).then(function (answer) {
      delete document.body.dataset.running;
      remember(text);
      if (answer.errors) {
        document.body.dataset.status = 'error';
        return showError(answer.errors[0]);
      }
      clearError();
      paint();
      document.getElementById('kg-title').textContent = text.replace(/\s+/g, ' ');
      KgView.render(answer.result, { expand: expand });
      document.body.dataset.status = 'ok';
      if (/\b(CREATE|MERGE|SET|DELETE|REMOVE)\b/i.test(text)) loadWords();
    }, function (err) {
      delete document.body.dataset.running;
      showError({ code: 'Network', message: String(err) });
    });
  }

  function loadWords() {
    fetch('/kg/words').then(function (r) { return r.json(); }).then(function (w) {
      words = w;
      keywordSet = {};
      w.keywords.forEach(function (k) { keywordSet[k] = true; });
      document.body.dataset.words = '1';
      paint();
    });
  }

  query.addEventListener('input', function () { errorAt = null; paint(); showCompletion(false); });
  query.addEventListener('scroll', function () { highlight.scrollTop = query.scrollTop; });
  query.addEventListener('blur', closeCompletion);
  query.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); return; }
    if (!complete.hidden) {
      if (e.key === 'ArrowDown') { e.preventDefault(); moveChoice(1); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); moveChoice(-1); return; }
      if (e.key === 'Tab' || e.key === 'Enter') { e.preventDefault(); accept(); return; }
      if (e.key === 'Escape') { closeCompletion(); return; }
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault(); showCompletion(true);
    }
  });
  document.getElementById('kg-run').addEventListener('click', run);
  historyBox.addEventListener('change', function () {
    if (historyBox.value) { query.value = historyBox.value; paint(); query.focus(); }
    historyBox.selectedIndex = 0;
  });
  window.kgWorkspace = { run: run, expand: expand };
  fillHistory(history());
  loadWords();
  paint();
})();
