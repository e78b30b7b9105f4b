/* The results page's bar charts (ECharts, vendored as gonghui/echarts.min.js). The data is the
 * json_script #survey-charts: [{id, labels, counts}]; each chart draws into the element with that id.
 * No inline script under the Content-Security-Policy, so the page only carries data. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("survey-charts");
  if (!source || !window.echarts) return;
  var charts = JSON.parse(source.textContent);
  var drawn = [];
  charts.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    if (!el) return;
    var instance = window.echarts.init(el, null, { renderer: "svg" });
    instance.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eee" } } },
      yAxis: { type: "category", inverse: true, data: chart.labels,
               axisLabel: { width: 160, overflow: "truncate" } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      series: [{ type: "bar", data: chart.counts, itemStyle: { color: "#c8102e" }, barMaxWidth: 22,
                 label: { show: true, position: "right" } }]
    });
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
});
