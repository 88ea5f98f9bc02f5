// 监测评估 charts (Apache ECharts, vendored under /static/vendor/echarts): the indicator page and the report.
(function () {
  "use strict";
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function indicatorOption(c) {
    var unit = c.unit ? "（" + c.unit + "）" : "";
    var series = [
      { name: "规划路径", type: "line", data: c.path, connectNulls: true, lineStyle: { type: "dashed" },
        itemStyle: { color: "#8c8c8c" }, symbol: "circle", symbolSize: 5 },
      { name: "实际值", type: "line", data: c.actual, connectNulls: true, itemStyle: { color: "#c0392b" },
        symbolSize: 9, label: { show: true, position: "top" } }
    ];
    if (c.baseline) series.push({ name: c.assumed ? "基期值（年份推定）" : "基期值", type: "scatter", symbol: "diamond",
      symbolSize: 14, itemStyle: { color: "#2c6fbb" }, data: [c.baseline] });
    if (c.target) series.push({ name: "目标值", type: "scatter", symbol: "pin", symbolSize: 30,
      itemStyle: { color: "#1e8449" }, data: [c.target], label: { show: true, position: "top", formatter: "目标 {@[1]}" } });
    return {
      animation: false,
      title: { text: c.name + unit, left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 60, right: 30, top: 50, bottom: 50 },
      xAxis: { type: "category", data: c.years, name: "年度" },
      yAxis: { type: "value", name: c.unit || "", scale: true },
      series: series
    };
  }
  function draw(el, option) {
    if (!window.echarts || !el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var one = json("chart-data");
    if (one) draw(document.getElementById("chart"), indicatorOption(one));
    var many = json("report-charts");
    if (many) document.querySelectorAll("[data-chart]").forEach(function (el) {
      draw(el, indicatorOption(many[+el.getAttribute("data-chart")]));
    });
    var sum = json("summary-data");
    if (sum) draw(document.getElementById("summary-chart"), {
      title: { text: "指标状态分布", left: "center", textStyle: { fontSize: 14 } },
      animation: false, tooltip: {}, grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: sum.labels }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: sum.counts, label: { show: true, position: "top" },
        itemStyle: { color: function (p) { return ["#1e8449", "#2e86c1", "#d68910", "#c0392b", "#999"][p.dataIndex]; } } }]
    });
  });
})();
