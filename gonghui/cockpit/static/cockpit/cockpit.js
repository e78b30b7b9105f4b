/* Cockpit charts (ECharts, vendored) for the console page and the big screen.
 *
 * Both pages embed the overview payload (the API's /api/v1/cockpit/overview shape) in a
 * <script type="application/json" id="cockpit-data"> and mark numbers with data-k="members.total"
 * (data-fmt="pct" for rates). The big screen polls the API and calls update() again. */
(function () {
  "use strict";

  var PALETTE = ["#c8102e", "#ff7d00", "#165dff", "#0fc6c2", "#722ed1", "#00b42a", "#f7ba1e", "#eb2f96",
                 "#86909c", "#14c9c9"];

  function get(data, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, data);
  }

  function fmt(value, how) {
    if (value === null || value === undefined) { return "—"; }
    if (how === "pct") { return value.toFixed(1) + "%"; }
    return Number(value).toLocaleString("zh-CN");
  }

  function theme(dark) {
    return {
      text: dark ? "#c9d6f2" : "#4e5969",
      axis: dark ? "rgba(150,180,255,.25)" : "#e5e6eb",
      title: dark ? "#e8f0ff" : "#1d2129"
    };
  }

  function axisStyle(t) {
    return { axisLine: { lineStyle: { color: t.axis } }, axisLabel: { color: t.text },
             splitLine: { lineStyle: { color: t.axis } } };
  }

  var builders = {
    trend: function (data, t) {
      var months = data.trend.map(function (r) { return r.month.slice(2).replace("-", "/"); });
      var series = [["惠及人次", "people_served"], ["新入会", "new_members"], ["受理诉求", "appeals_received"],
                    ["云集市下单", "market_orders"]];
      return {
        color: PALETTE, tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { color: t.text } },
        grid: { left: 44, right: 16, top: 36, bottom: 28 },
        xAxis: Object.assign({ type: "category", data: months, boundaryGap: false }, axisStyle(t)),
        yAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle(t)),
        series: series.map(function (s) {
          return { name: s[0], type: "line", smooth: true, symbolSize: 5,
                   data: data.trend.map(function (r) { return r[s[1]]; }) };
        })
      };
    },
    daily: function (data, t) {
      return {
        color: ["#0fc6c2", "#ff7d00"], tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { color: t.text } },
        grid: { left: 40, right: 12, top: 32, bottom: 24 },
        xAxis: Object.assign({ type: "category", data: data.daily.map(function (r) { return r.day.slice(5); }) },
                             axisStyle(t)),
        yAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle(t)),
        series: [
          { name: "惠及人次", type: "bar", data: data.daily.map(function (r) { return r.people_served; }) },
          { name: "受理诉求", type: "line", smooth: true, data: data.daily.map(function (r) { return r.appeals_received; }) }
        ]
      };
    },
    gig: function (data, t) {
      return {
        color: PALETTE, tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
        legend: { type: "scroll", orient: "vertical", right: 0, top: "middle", textStyle: { color: t.text } },
        series: [{ type: "pie", radius: ["42%", "70%"], center: ["36%", "52%"], label: { show: false },
                   data: data.members.gig_by_occupation.map(function (p) { return { name: p.label, value: p.value }; }) }]
      };
    },
    industry: function (data, t) {
      var parts = data.organisations.employers_by_industry.slice(0, 8).reverse();
      return {
        color: ["#165dff"], tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 28, top: 8, bottom: 8, containLabel: true },
        xAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle(t)),
        yAxis: Object.assign({ type: "category", data: parts.map(function (p) { return p.label.slice(0, 10); }) },
                             axisStyle(t)),
        series: [{ type: "bar", barMaxWidth: 14, label: { show: true, position: "right", color: t.text },
                   data: parts.map(function (p) { return p.value; }) }]
      };
    },
    ranking: function (data, t) {
      var rows = data.ranking.slice(0, 10).reverse();
      return {
        color: ["#c8102e", "#ff7d00"], tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, textStyle: { color: t.text } },
        grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
        xAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle(t)),
        yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.union.name.slice(0, 12); }) },
                             axisStyle(t)),
        series: [
          { name: "会员", type: "bar", barMaxWidth: 12, data: rows.map(function (r) { return r.members; }) },
          { name: "惠及人次", type: "bar", barMaxWidth: 12, data: rows.map(function (r) { return r.people_served; }) }
        ]
      };
    },
    rates: function (data, t) {
      function gauge(name, value, center, color) {
        return { type: "gauge", center: center, radius: "78%", startAngle: 210, endAngle: -30, min: 0, max: 100,
                 progress: { show: true, width: 10, itemStyle: { color: color } },
                 axisLine: { lineStyle: { width: 10, color: [[1, t.axis]] } },
                 axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
                 title: { offsetCenter: [0, "62%"], color: t.text, fontSize: 13 },
                 detail: { offsetCenter: [0, "0%"], color: t.title, fontSize: 22, formatter: function (v) {
                   return value === null ? "—" : v.toFixed(1) + "%"; } },
                 data: [{ name: name, value: value === null ? 0 : value }] };
      }
      return { series: [gauge("按时办结率", data.appeals.on_time_rate, ["25%", "55%"], "#00b42a"),
                        gauge("满意率", data.appeals.satisfaction_rate, ["75%", "55%"], "#165dff")] };
    }
  };

  var charts = {};

  function render(data, dark) {
    var t = theme(dark);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (!builders[kind] || !window.echarts) { return; }
      var chart = charts[kind] || (charts[kind] = window.echarts.init(el, null, { renderer: "canvas" }));
      chart.setOption(builders[kind](data, t), true);
      if (kind === "ranking" && !chart.__drill) {
        chart.__drill = true;
        chart.on("click", function (params) {  // drill down into the clicked child union
          var rows = (window.GonghuiCockpit.data.ranking || []).slice(0, 10).reverse();
          var row = rows[params.dataIndex];
          if (row) { window.location.search = "?union=" + row.union.uuid; }
        });
      }
    });
    document.querySelectorAll("[data-k]").forEach(function (el) {
      el.textContent = fmt(get(data, el.getAttribute("data-k")), el.getAttribute("data-fmt"));
    });
  }

  window.GonghuiCockpit = {
    data: null,
    start: function (options) {
      var node = document.getElementById("cockpit-data");
      this.data = JSON.parse(node.textContent);
      render(this.data, options.dark);
      window.addEventListener("resize", function () {
        Object.keys(charts).forEach(function (k) { charts[k].resize(); });
      });
      if (options.poll) {
        var self = this;
        setInterval(function () {
          fetch(options.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
            .then(function (fresh) {
              self.data = fresh;
              render(fresh, options.dark);
              if (options.onUpdate) { options.onUpdate(fresh, null); }
            })
            .catch(function (err) { if (options.onUpdate) { options.onUpdate(null, err); } });
        }, options.poll * 1000);
      }
    }
  };
})();
