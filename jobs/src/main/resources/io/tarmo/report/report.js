// The run report's page: reads the aggregates embedded as JSON (#report-data) and draws them with
// Apache ECharts (inlined before this script). Every text from the data goes through textContent or
// ECharts, never innerHTML. When done, <html data-report-state="drawn"> and each chart container
// carries data-chart-state ("drawn", "empty" with a note, or "failed"), for the browser check.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('report-data').textContent);
  var report = data.report;
  var days = report.days;
  var today = report.date;
  var charts = [];

  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7',
    '#9c755f', '#bab0ac', '#2f4b7c', '#a05195', '#665191', '#d45087', '#003f5c'];
  var FATES = [
    { key: 'stored', label: 'stored', colour: '#2e7d32' },
    { key: 'duplicates', label: 'duplicate', colour: '#90a4ae' },
    { key: 'dropped', label: 'dropped (no analytics consent)', colour: '#f9a825' },
    { key: 'quarantined', label: 'quarantined', colour: '#c62828' },
    { key: 'suppressed', label: 'suppressed (erased person)', colour: '#6a1b9a' }
  ];
  var STATUS_COLOURS = { SUCCEEDED: '#2e7d32', COMPLETED: '#2e7d32', VERIFIED: '#66bb6a', IN_PROGRESS: '#f9a825',
    RUNNING: '#f9a825', FAILED: '#c62828', QUALITY_FAILED: '#ef6c00', REJECTED: '#78909c' };
  var AGE_BUCKETS = ['0-4', '5-9', '10-14', '15-19', '20-24', '25-29', report.erasure_deadline_days + '+'];
  var NIGHT = ['generate', 'ingest', 'identity', 'consent', 'profiles', 'segments', 'activate', 'retention'];

  // ---- small helpers ---------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function number(value) {
    return value === null || value === undefined ? '\u2013' : Number(value).toLocaleString('en');
  }

  function seconds(ms) {
    return ms === null || ms === undefined ? '\u2013' : (ms / 1000).toFixed(1) + ' s';
  }

  function shortDay(day) {
    return day.slice(5);
  }

  function unique(values) {
    var seen = {};
    return values.filter(function (value) {
      if (Object.prototype.hasOwnProperty.call(seen, value)) { return false; }
      seen[value] = true;
      return true;
    });
  }

  /** Sum of rows[field] per key(row), as an object. */
  function sumBy(rows, key, field) {
    var sums = {};
    rows.forEach(function (row) {
      var k = key(row);
      sums[k] = (sums[k] || 0) + (row[field] || 0);
    });
    return sums;
  }

  /** For each day of the window, the sum of field over the rows of that day that match where; null when none. */
  function perDay(rows, where, field) {
    return days.map(function (day) {
      var matching = rows.filter(function (row) { return row.day === day && where(row); });
      if (!matching.length) { return null; }
      return matching.reduce(function (sum, row) { return sum + (row[field] || 0); }, 0);
    });
  }

  function colour(i) {
    return PALETTE[i % PALETTE.length];
  }

  function base(extra) {
    var option = {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: 'system-ui, sans-serif' },
      tooltip: { trigger: 'axis', confine: true },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 8, right: 16, top: 60, bottom: 8, containLabel: true }
    };
    Object.keys(extra).forEach(function (key) { option[key] = extra[key]; });
    return option;
  }

  function dayAxis() {
    return { type: 'category', data: days, axisLabel: { formatter: shortDay } };
  }

  function countAxis(name, side) {
    return { type: 'value', name: name || '', minInterval: 1, nameTextStyle: { align: side || 'left' } };
  }

  // ---- the charts ------------------------------------------------------------------------------

  function volumes(source) {
    var rows = data.volumes.filter(function (row) { return row.source === source; });
    if (!rows.length) { return null; }
    return base({
      xAxis: dayAxis(),
      yAxis: countAxis('lines'),
      series: FATES.map(function (fate) {
        return { name: fate.label, type: 'bar', stack: 'fate', color: fate.colour,
          data: perDay(rows, function () { return true; }, fate.key) };
      })
    });
  }

  function quarantineReasons() {
    var rows = data.quarantine;
    if (!rows.length) { return null; }
    var label = function (row) { return row.source + ': ' + row.reason; };
    var totals = sumBy(rows, label, 'rows');
    var reasons = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; }).slice(0, 12).reverse();
    return base({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
      xAxis: countAxis('rows'),
      yAxis: { type: 'category', data: reasons, axisLabel: { width: 260, overflow: 'truncate' } },
      series: days.map(function (day) {
        return { name: shortDay(day), type: 'bar', stack: 'day', data: reasons.map(function (reason) {
          var sum = rows.filter(function (row) { return row.day === day && label(row) === reason; })
            .reduce(function (total, row) { return total + row.rows; }, 0);
          return sum || null;
        }) };
      })
    });
  }

  function metric(name) {
    return data.identity.filter(function (row) { return row.metric === name; });
  }

  function componentSizes() {
    var rows = metric('component_size');
    if (!rows.length) { return null; }
    var buckets = unique(rows.map(function (row) { return row.label; }))
      .sort(function (a, b) { return parseInt(a, 10) - parseInt(b, 10); });
    return base({
      xAxis: dayAxis(),
      yAxis: countAxis('components'),
      series: buckets.map(function (bucket) {
        return { name: bucket + (bucket === '1' ? ' identifier' : ' identifiers'), type: 'bar', stack: 'size',
          data: perDay(rows, function (row) { return row.label === bucket; }, 'value') };
      })
    });
  }

  function identityGraph() {
    var whole = function (row) { return row.label === ''; };
    if (!data.identity.length) { return null; }
    return base({
      xAxis: dayAxis(),
      yAxis: [countAxis('customers, components'), countAxis('identifiers', 'right')],
      series: [
        { name: 'customers', type: 'line', data: perDay(metric('customers'), whole, 'value') },
        { name: 'components', type: 'line', data: perDay(metric('components'), whole, 'value') },
        { name: 'largest component (identifiers)', type: 'bar', yAxisIndex: 1, barMaxWidth: 24,
          data: perDay(metric('largest_component'), whole, 'value') }
      ]
    });
  }

  function identityChanges() {
    var rejected = metric('rejected').filter(function (row) { return row.label !== ''; });
    if (!data.merges.length && !data.decisions.length && !rejected.length) { return null; }
    var series = [{ name: 'merges', type: 'bar', stack: 'merges', color: '#4e79a7',
      data: perDay(data.merges, function () { return true; }, 'merges') }];
    unique(data.decisions.map(function (row) { return row.rule; })).forEach(function (rule) {
      series.push({ name: 'decision: ' + rule, type: 'bar', stack: 'decisions',
        data: perDay(data.decisions, function (row) { return row.rule === rule; }, 'decisions') });
    });
    unique(rejected.map(function (row) { return row.label; })).forEach(function (label) {
      series.push({ name: 'rejected: ' + label, type: 'bar', stack: 'rejected',
        data: perDay(rejected, function (row) { return row.label === label; }, 'value') });
    });
    return base({ xAxis: dayAxis(), yAxis: countAxis(''), series: series });
  }

  function segmentIds() {
    return unique(data.segments.map(function (row) { return row.segment; })).sort();
  }

  function segmentSizes() {
    if (!data.segments.length) { return null; }
    return base({
      xAxis: dayAxis(),
      yAxis: countAxis('members'),
      series: segmentIds().map(function (segment, i) {
        return { name: segment, type: 'line', color: colour(i), connectNulls: false,
          data: perDay(data.segments, function (row) { return row.segment === segment; }, 'members') };
      })
    });
  }

  function segmentChanges() {
    if (!data.segments.length) { return null; }
    var series = [];
    segmentIds().forEach(function (segment, i) {
      var mine = function (row) { return row.segment === segment; };
      series.push({ name: segment, type: 'bar', stack: 'entered', color: colour(i),
        data: perDay(data.segments, mine, 'entered') });
      series.push({ name: segment, type: 'bar', stack: 'exited', color: colour(i),
        data: perDay(data.segments, mine, 'exited').map(function (n) { return n === null ? null : -n; }) });
    });
    var axis = countAxis('entered (up) / exited (down)');
    axis.axisLabel = { formatter: function (value) { return number(Math.abs(value)); } };
    var option = base({ xAxis: dayAxis(), yAxis: axis, series: series });
    option.tooltip.valueFormatter = function (value) { return value === null ? '\u2013' : number(Math.abs(value)); };
    return option;
  }

  function consentCoverage() {
    var rows = data.consent;
    if (!rows.length) { return null; }
    var purposes = unique(rows.map(function (row) { return row.purpose; })).sort();
    var channels = unique(rows.map(function (row) { return row.channel; })).sort();
    var customers = data.headline.customers;
    var cells = [];
    var most = 1;
    channels.forEach(function (channel, x) {
      purposes.forEach(function (purpose, y) {
        var granted = rows.filter(function (row) {
          return row.purpose === purpose && row.channel === channel && row.status === 'granted';
        }).reduce(function (sum, row) { return sum + row.customers; }, 0);
        most = Math.max(most, granted);
        cells.push([x, y, granted]);
      });
    });
    return base({
      legend: { show: false },
      tooltip: { trigger: 'item', confine: true, formatter: function (params) {
        var channel = channels[params.value[0]];
        var purpose = purposes[params.value[1]];
        var lines = [purpose + ' \u00d7 ' + channel];
        rows.filter(function (row) { return row.purpose === purpose && row.channel === channel; })
          .forEach(function (row) { lines.push(row.status + ': ' + number(row.customers)); });
        return lines.map(echarts.format.encodeHTML).join('<br>');
      } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: channels, splitArea: { show: true } },
      yAxis: { type: 'category', data: purposes, splitArea: { show: true } },
      visualMap: { min: 0, max: most, show: false, inRange: { color: ['#f1f8e9', '#2e7d32'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: function (params) {
        var granted = params.value[2];
        return number(granted) + (customers ? ' (' + Math.round(100 * granted / customers) + '%)' : '');
      } } }]
    });
  }

  /** Bars per day, one stacked series per value of rows[key] in keys (in that order), summing rows[field]. */
  function stackedByDay(rows, key, keys, field, axisName) {
    if (!rows.length) { return null; }
    return base({
      xAxis: dayAxis(),
      yAxis: countAxis(axisName),
      series: keys.map(function (value) {
        return { name: value, type: 'bar', stack: key,
          data: perDay(rows, function (row) { return row[key] === value; }, field) };
      })
    });
  }

  function activations() {
    var channels = unique(data.activations.map(function (row) { return row.channel; })).sort();
    return stackedByDay(data.activations, 'channel', channels, 'members', 'members contacted');
  }

  function exclusions() {
    var totals = sumBy(data.exclusions, function (row) { return row.reason; }, 'members');
    var reasons = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; });
    return stackedByDay(data.exclusions, 'reason', reasons, 'members', 'members not contacted');
  }

  function erasure() {
    var rows = data.erasure;
    if (!rows.length) { return null; }
    var buckets = AGE_BUCKETS.concat(rows.some(function (row) { return row.age === 'unknown'; }) ? ['unknown'] : []);
    var statuses = unique(rows.map(function (row) { return row.status; })).sort();
    var series = statuses.map(function (status) {
      return { name: status, type: 'bar', stack: 'status', color: STATUS_COLOURS[status],
        data: buckets.map(function (bucket) {
          var sum = rows.filter(function (row) { return row.status === status && row.age === bucket; })
            .reduce(function (total, row) { return total + row.requests; }, 0);
          return sum || null;
        }) };
    });
    var deadline = report.erasure_deadline_days + '+';
    return base({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
      grid: { left: 8, right: 16, top: 60, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: buckets, name: 'days since received', nameLocation: 'middle', nameGap: 28,
        axisLabel: { interval: 0, formatter: function (bucket) {
          return bucket === deadline ? '{late|' + bucket + ' late}' : bucket;
        }, rich: { late: { color: '#c0392b', fontWeight: 'bold' } } } },
      yAxis: countAxis('requests'),
      series: series
    });
  }

  function steps() {
    var rows = data.steps.filter(function (row) { return row.command !== 'nightly'; });
    if (!rows.length) { return null; }
    var commands = unique(rows.map(function (row) { return row.command; })).sort(function (a, b) {
      return (NIGHT.indexOf(a) + 1 || 99) - (NIGHT.indexOf(b) + 1 || 99);
    });
    return base({
      xAxis: dayAxis(),
      yAxis: countAxis('seconds'),
      series: commands.map(function (command) {
        return { name: command, type: 'bar', stack: 'step', data: days.map(function (day) {
          var run = rows.filter(function (row) { return row.day === day && row.command === command; })[0];
          if (!run) { return null; }
          var item = { value: run.duration_ms === null ? 0 : run.duration_ms / 1000 };
          if (run.status !== 'SUCCEEDED') {
            item.itemStyle = { borderColor: STATUS_COLOURS[run.status] || '#c62828', borderWidth: 2 };
          }
          return item;
        }) };
      })
    });
  }

  var SECTIONS = [
    { title: 'Ingestion: volumes and quality', charts: [
      { id: 'volumes-events', title: 'Events per delivery day', tables: ['job_runs'],
        what: 'Each clickstream line read by ingest, by its fate.', option: function () { return volumes('events'); } },
      { id: 'volumes-crm', title: 'CRM records per delivery day', tables: ['job_runs'],
        what: 'Each CRM record read, by its fate (an older version of a customer counts as duplicate).',
        option: function () { return volumes('crm'); } },
      { id: 'volumes-consent', title: 'Consent records per delivery day', tables: ['job_runs'],
        what: 'Each consent ledger line read, by its fate.', option: function () { return volumes('consent'); } },
      { id: 'quarantine', title: 'Quarantine reasons', tables: ['quarantine'],
        what: 'Rows quarantined this week per source and reason (the 12 most frequent), by delivery day.',
        option: quarantineReasons }
    ] },
    { title: 'Identity', charts: [
      { id: 'identity-components', title: 'Components by size', tables: ['identity_stats'],
        what: 'Connected components of the identity graph after each night, by identifiers per component.',
        option: componentSizes },
      { id: 'identity-graph', title: 'Customers and the largest component', tables: ['identity_stats'],
        what: 'Customers and components per night; bars: identifiers in the largest component (right axis).',
        option: identityGraph },
      { id: 'identity-changes', title: 'Merges, rule decisions and rejected identifiers',
        tables: ['identity_merges', 'identity_decisions', 'identity_stats'],
        what: 'Customer keys merged away, identifiers the rules kept from joining two customers, values that never link.',
        option: identityChanges }
    ] },
    { title: 'Segments', charts: [
      { id: 'segment-sizes', title: 'Segment sizes', tables: ['segment_sizes'],
        what: 'Members of each segment per evaluated day.', option: segmentSizes },
      { id: 'segment-changes', title: 'Entries and exits', tables: ['segment_sizes'],
        what: 'Members who entered (up) or left (down) each segment against the previous evaluated day.',
        option: segmentChanges }
    ] },
    { title: 'Consent and activation', charts: [
      { id: 'consent', title: 'Consent coverage on ' + today, tables: ['consent_state'],
        what: 'Customers with a valid grant per purpose and channel at the end of the day (share of all customers).',
        option: consentCoverage },
      { id: 'activations', title: 'Members contacted per channel', tables: ['activation'],
        what: 'Audience members who may be contacted, per channel and day (a member in two audiences counts twice).',
        option: activations },
      { id: 'exclusions', title: 'Members not contacted, by reason', tables: ['activation_exclusions'],
        what: 'Audience members and channels excluded per day, each by the first reason that applies.',
        option: exclusions }
    ] },
    { title: 'Erasure', charts: [
      { id: 'erasure', title: 'Erasure requests by status and age', tables: ['erasure_log'],
        what: 'Days from receipt to completion, or to the end of ' + today + ' while open; the deadline is '
          + report.erasure_deadline_days + ' days (GDPR Art. 12(3)).', option: erasure }
    ] },
    { title: 'Runs', charts: [
      { id: 'steps', title: 'Steps and durations', tables: ['job_runs'],
        what: 'Each day\u2019s latest run of every step, in seconds; a framed bar did not succeed.', option: steps }
    ] }
  ];

  // ---- the page --------------------------------------------------------------------------------

  function headline() {
    var h = data.headline;
    var night = h.night_status === null ? 'no night' : h.night_status;
    var figures = [
      { label: 'night of ' + today + (h.night_duration_ms === null ? '' : ', ' + seconds(h.night_duration_ms)),
        value: night, tone: h.night_status === 'SUCCEEDED' ? 'good' : 'bad' },
      { label: 'events stored (of ' + number(h.events_read) + ' read)', value: number(h.events_stored) },
      { label: 'lines quarantined', value: number(h.quarantined), tone: h.quarantined ? 'bad' : '' },
      { label: 'customers', value: number(h.customers) },
      { label: 'customer keys merged', value: number(h.merges) },
      { label: 'members contacted', value: number(h.contacted) },
      { label: 'members not contacted', value: number(h.excluded) },
      { label: 'erasure requests open (past deadline)',
        value: number(h.erasure_open) + (h.erasure_past_due ? ' (' + number(h.erasure_past_due) + ')' : ''),
        tone: h.erasure_past_due ? 'bad' : '' }
    ];
    var box = document.getElementById('headline');
    figures.forEach(function (figure) {
      var card = element('div', 'figure' + (figure.tone ? ' ' + figure.tone : ''));
      card.appendChild(element('div', 'value', figure.value));
      card.appendChild(element('div', 'label', figure.label));
      box.appendChild(card);
    });
  }

  function note(text) {
    return { animation: false, title: { text: text, left: 'center', top: 'middle',
      textStyle: { color: '#616e7c', fontSize: 13, fontWeight: 'normal' } } };
  }

  function draw(spec, container) {
    var chart = echarts.init(container, null, { renderer: 'svg' });
    charts.push(chart);
    var missing = spec.tables.filter(function (table) { return !data.tables[table]; });
    var option = missing.length === spec.tables.length ? null : spec.option();
    if (option) {
      chart.setOption(option);
      container.setAttribute('data-chart-state', 'drawn');
    } else {
      chart.setOption(note(missing.length ? 'No ' + missing.join(', ') + ' table in this lake yet'
        : 'Nothing recorded on these days'));
      container.setAttribute('data-chart-state', 'empty');
    }
  }

  function stepsTable() {
    var rows = data.steps.filter(function (row) { return row.day === today; });
    if (!rows.length) { return null; }
    var table = element('table', 'steps');
    var head = table.appendChild(element('tr'));
    ['step on ' + today, 'status', 'duration'].forEach(function (text) { head.appendChild(element('th', '', text)); });
    rows.forEach(function (row) {
      var line = table.appendChild(element('tr'));
      line.appendChild(element('td', '', row.command));
      line.appendChild(element('td', '', row.status));
      line.appendChild(element('td', 'num', seconds(row.duration_ms)));
    });
    return table;
  }

  document.title = 'Tarmo run report ' + today;
  document.getElementById('title').textContent = 'Tarmo run report: ' + today;
  document.getElementById('window').textContent = (days.length > 1 ? days[0] + ' to ' + today : today)
    + ' \u00b7 written ' + report.generated_at + ' \u00b7 ' + report.chart_library;
  headline();
  var main = document.getElementById('sections');
  SECTIONS.forEach(function (section) {
    main.appendChild(element('h2', '', section.title));
    var grid = main.appendChild(element('div', 'grid'));
    section.charts.forEach(function (spec) {
      var card = grid.appendChild(element('div', 'card'));
      card.appendChild(element('h3', '', spec.title));
      card.appendChild(element('p', 'what', spec.what));
      var container = card.appendChild(element('div', 'chart'));
      container.id = 'chart-' + spec.id;
      container.setAttribute('data-chart', spec.id);
      try {
        draw(spec, container);
      } catch (e) {
        container.setAttribute('data-chart-state', 'failed');
        console.error('chart ' + spec.id + ' failed: ' + (e && e.message));
      }
    });
    if (section.title === 'Runs') {
      var table = stepsTable();
      if (table) { main.appendChild(table); }
    }
  });
  window.addEventListener('resize', function () { charts.forEach(function (chart) { chart.resize(); }); });
  document.documentElement.setAttribute('data-report-charts', String(charts.length));
  document.documentElement.setAttribute('data-report-state', 'drawn');
})();
