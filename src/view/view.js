// kg's result view: the graph (cytoscape.js), its legend, the search box, the side panel and
// the table. Shared by `:view`'s file and the `kg serve --http` workspace; both hand it the
// JSON of kg::view::result_json. Nothing here reaches the network.
(function () {
  'use strict';
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1',
    '#ff9da7', '#9c755f', '#86bcb6', '#d37295', '#8cd17d', '#a0cbe8', '#bab0ac'];
  var cy = null;
  var colours = {};
  var options = {};
  var lastTable = { columns: [], rows: [] };

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function colourOf(label) {
    if (!(label in colours)) colours[label] = PALETTE[Object.keys(colours).length % PALETTE.length];
    return colours[label];
  }

  function nodeElement(n) {
    var label = n.labels.length ? n.labels[0] : '';
    return { group: 'nodes', data: { id: n.id, key: n.key, caption: n.caption, labels: n.labels,
      properties: n.properties, color: label ? colourOf(label) : '#9aa3b2' } };
  }

  function edgeElement(e) {
    return { group: 'edges', data: { id: e.id, key: e.key, source: e.source, target: e.target,
      type: e.type, properties: e.properties } };
  }

  function layoutFor(n) {
    if (n <= 1) return { name: 'grid' };
    if (n <= 1500) {
      return { name: 'cose', animate: false, randomize: true, nodeRepulsion: function () { return 400000; },
        idealEdgeLength: function () { return 100; }, nodeOverlap: 20, gravity: 60,
        numIter: n > 300 ? 500 : 1500, padding: 30 };
    }
    return { name: 'concentric', animate: false, minNodeSpacing: 6,
      concentric: function (node) { return node.degree(); }, levelWidth: function () { return 4; } };
  }

  function style() {
    return [
      { selector: 'node', style: { 'background-color': 'data(color)', 'label': 'data(caption)', 'width': 26,
        'height': 26, 'font-size': 10, 'color': '#1d2330', 'text-valign': 'bottom', 'text-margin-y': 3,
        'text-outline-color': '#fff', 'text-outline-width': 2, 'text-wrap': 'ellipsis', 'text-max-width': '130px',
        'border-width': 1, 'border-color': '#ffffff' } },
      { selector: 'edge', style: { 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'width': 1.4,
        'line-color': '#a9b3c4', 'target-arrow-color': '#a9b3c4', 'label': 'data(type)', 'font-size': 8,
        'color': '#56607a', 'text-rotation': 'autorotate', 'text-background-color': '#fff',
        'text-background-opacity': 0.85, 'text-background-padding': 1 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#1d2330' } },
      { selector: 'edge:selected', style: { 'width': 3, 'line-color': '#1d2330', 'target-arrow-color': '#1d2330' } },
      { selector: '.kg-faded', style: { 'opacity': 0.15 } },
      { selector: 'node.kg-match', style: { 'border-width': 4, 'border-color': '#f5b300' } }
    ];
  }

  function setCounts() {
    var nodes = cy ? cy.nodes().length : 0;
    var edges = cy ? cy.edges().length : 0;
    document.body.dataset.nodes = nodes;
    document.body.dataset.edges = edges;
    document.body.dataset.rows = lastTable.rows.length;
    var rows = lastTable.rows.length + (lastTable.rows.length === 1 ? ' row' : ' rows');
    $('kg-counts').textContent = nodes + ' nodes · ' + edges + ' relationships · ' + rows;
  }

  function legend() {
    var box = $('kg-legend');
    box.textContent = '';
    var seen = {};
    cy.nodes().forEach(function (n) { (n.data('labels') || []).slice(0, 1).forEach(function (l) { seen[l] = (seen[l] || 0) + 1; }); });
    Object.keys(seen).sort().forEach(function (l) {
      var row = el('div');
      var dot = el('span', { 'class': 'kg-dot' });
      dot.style.background = colourOf(l);
      row.appendChild(dot);
      row.appendChild(el('span', {}, ':' + l + ' (' + seen[l] + ')'));
      box.appendChild(row);
    });
    box.hidden = Object.keys(seen).length === 0;
  }

  function table(t) {
    var box = $('kg-table');
    box.textContent = '';
    if (!t.columns.length) {
      box.appendChild(el('div', { 'class': 'kg-empty' }, 'The statement returned no columns.'));
      return;
    }
    var tbl = el('table');
    var head = el('tr');
    t.columns.forEach(function (c) { head.appendChild(el('th', {}, c)); });
    tbl.appendChild(head);
    t.rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (c) { tr.appendChild(el('td', {}, c)); });
      tbl.appendChild(tr);
    });
    box.appendChild(tbl);
    if (!t.rows.length) box.appendChild(el('div', { 'class': 'kg-empty' }, 'No rows.'));
  }

  function showTab(name) {
    var graph = name === 'graph';
    $('kg-graph-wrap').hidden = !graph;
    $('kg-panel').hidden = !graph;
    $('kg-table').hidden = graph;
    document.querySelectorAll('#kg-tabs button').forEach(function (b) {
      b.classList.toggle('on', b.dataset.tab === name);
    });
    if (graph && cy) {
      cy.resize();
      fit();
    }
  }

  function propsTable(props) {
    var keys = Object.keys(props || {}).filter(function (k) { return k !== 'evidence'; }).sort();
    var tbl = el('table', { 'class': 'kg-props' });
    keys.forEach(function (k) {
      var tr = el('tr');
      tr.appendChild(el('td', {}, k));
      tr.appendChild(el('td', {}, props[k]));
      tbl.appendChild(tr);
    });
    return tbl;
  }

  function evidence(panel, props) {
    panel.appendChild(el('div', { 'class': 'kg-evidence-label' }, 'Evidence'));
    if (props && props.evidence) {
      panel.appendChild(el('blockquote', { 'class': 'kg-evidence', 'id': 'kg-evidence' }, props.evidence));
    } else {
      panel.appendChild(el('p', { 'class': 'kg-hint', 'id': 'kg-evidence' }, 'No evidence recorded.'));
    }
  }

  function showDetails(ele) {
    var panel = $('kg-panel');
    panel.textContent = '';
    var d = ele.data();
    panel.dataset.selected = d.id;
    if (ele.isNode()) {
      panel.appendChild(el('h2', {}, d.caption));
      (d.labels || []).forEach(function (l) {
        var chip = el('span', { 'class': 'kg-chip' }, l);
        chip.style.background = colourOf(l);
        panel.appendChild(chip);
      });
      panel.appendChild(el('div', { 'class': 'kg-hint' }, 'node id ' + d.key));
      evidence(panel, d.properties);
      panel.appendChild(propsTable(d.properties));
      if (options.expand) {
        var b = el('button', { 'id': 'kg-expand' }, 'Expand neighbours');
        b.onclick = function () { options.expand(d.key); };
        panel.appendChild(b);
      }
    } else {
      var s = cy.getElementById(d.source).data('caption');
      var t = cy.getElementById(d.target).data('caption');
      panel.appendChild(el('h2', {}, ':' + d.type));
      panel.appendChild(el('div', { 'class': 'kg-hint' }, '(' + s + ')-[:' + d.type + ']->(' + t + ') · relationship id ' + d.key));
      evidence(panel, d.properties);
      panel.appendChild(propsTable(d.properties));
    }
  }

  function search(text) {
    if (!cy) return;
    var q = text.trim().toLowerCase();
    cy.elements().removeClass('kg-faded kg-match');
    if (!q) return;
    var hits = cy.nodes().filter(function (n) {
      var d = n.data();
      if (String(d.caption).toLowerCase().indexOf(q) >= 0) return true;
      for (var k in d.properties) if (String(d.properties[k]).toLowerCase().indexOf(q) >= 0) return true;
      return (d.labels || []).some(function (l) { return l.toLowerCase() === q; });
    });
    cy.elements().not(hits).addClass('kg-faded');
    hits.addClass('kg-match');
    document.body.dataset.matches = hits.length;
    if (hits.length) cy.fit(hits, 60);
  }

  function notice(result) {
    var box = $('kg-notice');
    if (result.truncated) {
      box.hidden = false;
      box.textContent = 'This result has ' + result.total.nodes + ' nodes and ' + result.total.edges +
        ' relationships; only the first ' + (result.nodes.length + result.edges.length) +
        ' elements are drawn. The table has every row.';
    } else {
      box.hidden = true;
    }
  }

  function draw(elements, fresh) {
    if (!cy) {
      cy = cytoscape({ container: $('kg-graph'), elements: [], style: style(), wheelSensitivity: 0.3,
        minZoom: 0.05, maxZoom: 4 });
      cy.on('tap', 'node, edge', function (evt) { showDetails(evt.target); });
      cy.on('tap', function (evt) {
        if (evt.target === cy) cy.elements().removeClass('kg-faded kg-match');
      });
    }
    if (fresh) cy.elements().remove();
    cy.add(elements.filter(function (e) { return cy.getElementById(e.data.id).empty(); }));
    cy.layout(layoutFor(cy.nodes().length)).run();
    fit();
  }

  // Fits the drawing to its area, without blowing a handful of nodes up to fill it.
  function fit() {
    cy.fit(undefined, 40);
    if (cy.zoom() > 1.5) {
      cy.zoom(1.5);
      cy.center();
    }
  }

  function elementsOf(result) {
    return result.nodes.map(nodeElement).concat(result.edges.map(edgeElement));
  }

  var KgView = {
    // Draws a result (replacing the previous one).
    render: function (result, opts) {
      options = opts || options;
      lastTable = result.table;
      notice(result);
      table(result.table);
      var hasGraph = result.nodes.length > 0;
      // The tab first: a hidden container has no size to lay the graph out in.
      showTab(hasGraph ? 'graph' : 'table');
      draw(elementsOf(result), true);
      legend();
      setCounts();
      $('kg-panel').textContent = '';
      $('kg-panel').appendChild(el('p', { 'class': 'kg-hint' }, hasGraph
        ? 'Click a node or relationship to see its labels, properties and the sentence of the article that states it.'
        : 'These rows hold no nodes or relationships: see the table.'));
      document.body.dataset.ready = '1';
    },
    // Adds a result's elements to the drawing (a node's neighbours).
    merge: function (result) {
      draw(elementsOf(result), false);
      legend();
      setCounts();
    },
    // Selects a node or relationship by id (`n12`, `r3`) and shows it in the panel.
    select: function (id) {
      var ele = cy && cy.getElementById(id);
      if (!ele || ele.empty()) return false;
      cy.elements().unselect();
      ele.select();
      showDetails(ele);
      return true;
    },
    // Screen position of an element, for tests that click through the browser.
    position: function (id) {
      var ele = cy.getElementById(id);
      var box = $('kg-graph').getBoundingClientRect();
      var p = ele.isNode() ? ele.renderedPosition() : ele.renderedMidpoint();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    // The id of the first node drawn with this caption, or null.
    nodeIdByCaption: function (caption) {
      var hit = cy.nodes().filter(function (n) { return n.data('caption') === caption; });
      return hit.empty() ? null : hit[0].id();
    },
    counts: function () { return { nodes: cy.nodes().length, edges: cy.edges().length }; },
    search: search,
    showTab: showTab
  };
  window.KgView = KgView;
  window.kgView = KgView;

  $('kg-search').addEventListener('input', function (e) { search(e.target.value); });
  document.querySelectorAll('#kg-tabs button').forEach(function (b) {
    b.addEventListener('click', function () { showTab(b.dataset.tab); });
  });
})();
