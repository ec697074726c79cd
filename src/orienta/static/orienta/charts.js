/*
 * Orienta: charts drawn from accessible HTML tables (progressive enhancement).
 *
 * Markup (the table stays visible: it is the accessible version, and the fallback without
 * JavaScript or when Chart.js is missing):
 *
 *   <figure class="indicator-tile" data-chart="bar|line|hbar" data-chart-note="(optional sentence)">
 *     <figcaption>Title</figcaption>
 *     <div class="chart-box"></div>            <- a <canvas> is put here
 *     <table class="table table-sm chart-data">
 *       <thead><tr><th scope="col">Label column</th><th scope="col">Series A</th>
 *                  <th scope="col" data-chart-skip>Not drawn</th></tr></thead>
 *       <tbody><tr><th scope="row">Row label</th><td data-value="120">120</td>...</tr></tbody>
 *     </table>
 *   </figure>
 *
 * One dataset per data column of the table (named after its header cell), one label per row
 * (its th[scope=row]). A cell's value is its data-value attribute; empty or missing = null, a gap,
 * never zero (suppressed small numbers, not applicable). Header cells with data-chart-skip are not
 * drawn. When a chart is drawn the figure gets data-chart-ready="1".
 *
 * Loaded with <script src defer> after vendor/chartjs/chart.umd.min.js; no inline script (CSP).
 * Redraws figures inside content swapped in by htmx (htmx:afterSettle, htmx:historyRestore).
 */
(function () {
  'use strict';

  // Okabe–Ito palette (colour-blind safe); yellow last, as it is faint on white.
  var PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#000000', '#F0E442'];
  // A second cue besides colour for line charts.
  var POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded', 'cross'];
  var TYPES = { bar: 'bar', hbar: 'bar', line: 'line' };
  var SELECTOR = 'figure[data-chart]';

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  function cellValue(cell) {
    if (!cell) return null;
    var raw = cell.getAttribute('data-value');
    if (raw === null) return null;
    raw = raw.trim();
    if (raw === '') return null;
    var n = Number(raw);
    return Number.isFinite(n) ? n : null;
  }

  function locale() {
    // Western digits as in the tables (Django does not localise digits), the page's language otherwise.
    var lang = document.documentElement.lang;
    if (!lang) return undefined;
    var candidates = [lang + '-u-nu-latn', lang];
    for (var i = 0; i < candidates.length; i++) {
      try {
        new Intl.NumberFormat(candidates[i]);
        return candidates[i];
      } catch (e) { /* invalid tag: try the next one */ }
    }
    return undefined;
  }

  function readTable(table) {
    var bodyRows = [];
    Array.prototype.forEach.call(table.tBodies, function (tbody) {
      Array.prototype.forEach.call(tbody.rows, function (row) { bodyRows.push(row); });
    });
    var headRow = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    if (!headRow || !bodyRows.length) return null;

    // The label column is where the row headers are (normally the first).
    var firstRowHeader = bodyRows[0].querySelector('th[scope="row"]');
    var labelIndex = firstRowHeader ? firstRowHeader.cellIndex : 0;

    var labels = bodyRows.map(function (row) {
      return text(row.querySelector('th[scope="row"]') || row.cells[labelIndex]);
    });

    var columns = [];
    Array.prototype.forEach.call(headRow.cells, function (th, index) {
      if (index === labelIndex || th.hasAttribute('data-chart-skip')) return;
      columns.push({
        name: text(th),
        values: bodyRows.map(function (row) { return cellValue(row.cells[index]); }),
      });
    });
    if (!columns.length) return null;
    return { labels: labels, columns: columns };
  }

  function ariaLabel(figure) {
    var caption = text(figure.querySelector('figcaption'));
    var note = (figure.getAttribute('data-chart-note') || '').trim();
    if (caption && note) {
      return caption + (/[.!?…:;。؟]$/.test(caption) ? ' ' : '. ') + note;
    }
    return caption || note;
  }

  function buildConfig(kind, data, rtl) {
    var type = TYPES[kind];
    var horizontal = kind === 'hbar';
    var indexAxis = horizontal ? 'y' : 'x';
    var valueAxis = horizontal ? 'x' : 'y';
    var integers = data.columns.every(function (column) {
      return column.values.every(function (v) { return v === null || Number.isInteger(v); });
    });

    var datasets = data.columns.map(function (column, i) {
      var colour = PALETTE[i % PALETTE.length];
      var dataset = {
        label: column.name,
        data: column.values,
        backgroundColor: colour,
        borderColor: colour,
      };
      if (type === 'line') {
        dataset.pointStyle = POINT_STYLES[i % POINT_STYLES.length];
        dataset.pointRadius = 4;
        dataset.borderWidth = 2;
        dataset.spanGaps = false; // a missing value is a gap in the line
      }
      return dataset;
    });

    var scales = {};
    // Right to left: categories run from the right, and the value axis sits on the right.
    scales[indexAxis] = { reverse: rtl && !horizontal, position: horizontal ? (rtl ? 'right' : 'left') : 'bottom' };
    scales[valueAxis] = {
      beginAtZero: true,
      reverse: rtl && horizontal,
      position: horizontal ? 'bottom' : (rtl ? 'right' : 'left'),
      ticks: integers ? { precision: 0 } : {},
    };

    return {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: indexAxis,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: locale(),
        // Room for the outermost category label, which Chart.js can clip when the axis is reversed (RTL).
        layout: { padding: { left: 12, right: 12 } },
        interaction: { mode: 'index', intersect: false, axis: indexAxis },
        scales: scales,
        plugins: {
          legend: {
            rtl: rtl,
            textDirection: rtl ? 'rtl' : 'ltr',
            // Line charts show each series' point shape (a cue besides colour), at about the points' size.
            labels: type === 'line' ? { usePointStyle: true, boxHeight: 8 } : {},
          },
          tooltip: { rtl: rtl, textDirection: rtl ? 'rtl' : 'ltr', usePointStyle: type === 'line' },
        },
      },
    };
  }

  function destroyCharts(box) {
    Array.prototype.forEach.call(box.querySelectorAll('canvas'), function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
      canvas.remove();
    });
  }

  // Charts whose canvas was swapped out of the page (htmx) would otherwise stay in Chart.instances.
  function destroyDetached() {
    var instances = window.Chart.instances || {};
    Object.keys(instances).forEach(function (key) {
      var chart = instances[key];
      if (chart && chart.canvas && chart.canvas.hasAttribute('data-chart-canvas') && !chart.canvas.isConnected) {
        chart.destroy();
      }
    });
  }

  function draw(figure) {
    var kind = figure.getAttribute('data-chart');
    var table = figure.querySelector('table.chart-data');
    var box = figure.querySelector('.chart-box');
    if (!TYPES.hasOwnProperty(kind) || !table || !box || !figure.isConnected) return;

    delete figure.dataset.chartReady;
    destroyCharts(box);
    var data = readTable(table);
    if (!data) return;
    box.hidden = false;
    var drawable = data.columns.some(function (column) {
      return column.values.some(function (v) { return v !== null; });
    });
    if (!drawable) {
      // Every figure hidden or undefined: empty axes would only look broken; the table says it.
      box.hidden = true;
      figure.dataset.chartReady = 'none';
      return;
    }

    var canvas = document.createElement('canvas');
    canvas.setAttribute('data-chart-canvas', '');
    var label = ariaLabel(figure);
    if (label) {
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', label);
    } else {
      canvas.setAttribute('aria-hidden', 'true'); // nothing to say: the table speaks for it
    }
    box.appendChild(canvas);

    var rtl = document.documentElement.dir === 'rtl';
    new window.Chart(canvas, buildConfig(kind, data, rtl));
    figure.dataset.chartReady = '1';
  }

  function drawWithin(root) {
    if (typeof window.Chart !== 'function' || !root) return;
    destroyDetached();
    var figures = [];
    if (root.matches && root.matches(SELECTOR)) figures.push(root);
    if (root.querySelectorAll) {
      Array.prototype.push.apply(figures, root.querySelectorAll(SELECTOR));
    }
    figures.forEach(function (figure) {
      try {
        draw(figure);
      } catch (error) {
        // One bad table must not stop the others; the table is still there.
        if (window.console) window.console.error('charts.js:', error);
      }
    });
  }

  function init() {
    if (typeof window.Chart !== 'function') return;
    var family = window.getComputedStyle(document.body).fontFamily;
    if (family) window.Chart.defaults.font.family = family;
    drawWithin(document);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }

  document.addEventListener('htmx:afterSettle', function (event) {
    drawWithin(event.target);
  });
  document.addEventListener('htmx:historyRestore', function () {
    drawWithin(document);
  });
})();
