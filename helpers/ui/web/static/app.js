// The live page: asks the server for the snapshots after the last one it has (snapshots?since=N) about once a
// second, draws the latest snapshot's top words as bars and every snapshot's positive/negative share as lines.
// The JSON contract of a snapshot is in docs/json-contract.md. Nothing here talks to any other site.
"use strict";

(function () {
  const COLOURS = { positive: "#0072B2", negative: "#D55E00", neutral: "#999999" }; // Okabe–Ito
  const MARKS = { positive: "+", negative: "−", neutral: "" };
  const params = new URLSearchParams(window.location.search);
  const POLL_MS = Math.max(200, Number(params.get("poll")) || 1000);
  const KEEP = 600; // share points kept: ten minutes of one-second batches
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const DURATION = calm ? 0 : 250;
  const WIDTH = 860;
  const BASIS = {
    tweets: "Share of each batch's tweets that scored positive or negative.",
    words: "Share of each batch's counted words that are positive or negative (the snapshots give no tweet counts).",
    top: "Share of the top words' counts that are positive or negative (the snapshots give no batch totals).",
  };

  const state = { next: 0, snapshots: 0, bad: 0, latest: null, shares: [], basis: null, rows: 20, newAt: 0 };
  const fmtPct = d3.format(".0%");
  const fmtInt = d3.format(",");
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);

  const rowsSelect = document.getElementById("rows");
  state.rows = Number(rowsSelect.value);
  rowsSelect.addEventListener("change", () => {
    state.rows = Number(rowsSelect.value);
    drawWords();
  });

  function setStatus(text, error) {
    const el = document.getElementById("status");
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("error", Boolean(error));
  }

  // Positive and negative share of one snapshot, from the best numbers it carries (null: nothing to share).
  function share(s) {
    if (isNum(s.tweets)) {
      if (!(s.tweets > 0) || !isNum(s.positive_tweets) || !isNum(s.negative_tweets)) return null;
      return { pos: s.positive_tweets / s.tweets, neg: s.negative_tweets / s.tweets, basis: "tweets" };
    }
    if (isNum(s.positive_words) && isNum(s.negative_words)) {
      const all = s.positive_words + s.negative_words + (isNum(s.neutral_words) ? s.neutral_words : 0);
      return all > 0 ? { pos: s.positive_words / all, neg: s.negative_words / all, basis: "words" } : null;
    }
    const all = d3.sum(s.top, (d) => d.count);
    if (!(all > 0)) return null;
    const by = (kind) => d3.sum(s.top.filter((d) => d.sentiment === kind), (d) => d.count);
    return { pos: by("positive") / all, neg: by("negative") / all, basis: "top" };
  }

  function reset() {
    Object.assign(state, { next: 0, snapshots: 0, bad: 0, latest: null, shares: [], basis: null });
  }

  function ingest(chunk) {
    for (const s of chunk.snapshots) {
      const sh = share(s);
      state.shares.push({ time: new Date(s.time * 1000), pos: sh ? sh.pos : null, neg: sh ? sh.neg : null });
      if (sh) state.basis = sh.basis;
      state.latest = s;
    }
    if (state.shares.length > KEEP) state.shares.splice(0, state.shares.length - KEEP);
    if (chunk.snapshots.length) state.newAt = Date.now();
    state.snapshots += chunk.snapshots.length;
    state.bad += chunk.bad.length;
    state.next = chunk.next;
  }

  function drawCounts(chunk) {
    const s = state.latest;
    document.getElementById("snapshot-count").textContent = fmtInt(state.snapshots);
    document.getElementById("bad-count").textContent = fmtInt(state.bad);
    document.getElementById("last-batch").textContent = s
      ? `${isNum(s.batch) ? `#${s.batch} ` : ""}at ${new Date(s.time * 1000).toLocaleTimeString()}`
      : "–";
    document.getElementById("last-tweets").textContent = s && isNum(s.tweets) ? fmtInt(s.tweets) : "–";
    if (!chunk.exists) setStatus("Waiting for the stream to create its JSON-lines file…");
    else if (!state.snapshots) setStatus("Waiting for the first snapshot…");
    else if (Date.now() - state.newAt > 10 * POLL_MS) {
      const quiet = Math.round((Date.now() - state.newAt) / 1000);
      setStatus(`No new snapshot for ${quiet} s: the stream may have stopped (the page keeps checking).`);
    } else setStatus(`Live: reading new snapshots every ${POLL_MS / 1000} s.`);
  }

  function drawWords() {
    const s = state.latest;
    const rows = s ? s.top.slice(0, state.rows) : [];
    const bar = 22;
    const left = 150;
    const right = 150;
    const height = Math.max(bar, rows.length * bar) + 24;
    const svg = d3.select("#words").attr("viewBox", `0 0 ${WIDTH} ${height}`);
    const x = d3
      .scaleLinear()
      .domain([0, d3.max(rows, (d) => d.count) || 1])
      .range([0, WIDTH - left - right]);
    const y = d3
      .scaleBand()
      .domain(rows.map((d) => d.word))
      .range([0, rows.length * bar])
      .padding(0.15);
    const groups = svg
      .selectAll("g.bar")
      .data(rows, (d) => d.word)
      .join((enter) => {
        const g = enter.append("g").attr("transform", (d) => `translate(${left},${y(d.word)})`);
        g.append("text").attr("class", "word").attr("x", -8).attr("text-anchor", "end");
        g.append("rect").attr("height", y.bandwidth()).attr("width", 0);
        g.append("text").attr("class", "value");
        return g;
      });
    groups
      .attr("class", (d) => `bar ${d.sentiment}`)
      .attr("data-word", (d) => d.word)
      .attr("data-count", (d) => d.count)
      .attr("data-sentiment", (d) => d.sentiment)
      .transition()
      .duration(DURATION)
      .attr("transform", (d) => `translate(${left},${y(d.word)})`);
    groups
      .select("text.word")
      .attr("y", y.bandwidth() / 2)
      .attr("dy", "0.35em")
      .text((d) => `${MARKS[d.sentiment]} ${d.word}`.trim());
    groups
      .select("rect")
      .attr("fill", (d) => COLOURS[d.sentiment])
      .transition()
      .duration(DURATION)
      .attr("width", (d) => Math.max(1, x(d.count)));
    groups
      .select("text.value")
      .attr("y", y.bandwidth() / 2)
      .attr("dy", "0.35em")
      .attr("x", (d) => Math.max(1, x(d.count)) + 6)
      .text((d) => `${fmtInt(d.count)} · ${d.sentiment}`);
    svg
      .selectAll("text.empty")
      .data(s && !rows.length ? ["No words in the current window: no tweets reached it."] : [])
      .join("text")
      .attr("class", "empty")
      .attr("x", 0)
      .attr("y", 16)
      .text((d) => d);
    const described = rows
      .slice(0, 5)
      .map((d) => `${d.word} ${d.count} ${d.sentiment}`)
      .join(", ");
    svg.select("desc").text(
      s ? `Bar chart of the top ${rows.length} words of the latest snapshot; first: ${described}.` : "No snapshot yet."
    );
    const body = d3.select("#words-table tbody");
    body
      .selectAll("tr")
      .data(rows)
      .join("tr")
      .selectAll("td")
      .data((d) => [d.word, fmtInt(d.count), isNum(d.total) ? fmtInt(d.total) : "", d.sentiment])
      .join("td")
      .attr("class", (d, i) => (i === 1 || i === 2 ? "number" : null))
      .text((d) => d);
  }

  function drawShare() {
    const points = state.shares;
    const m = { top: 12, right: 140, bottom: 36, left: 48 };
    const height = 260;
    const svg = d3.select("#share").attr("viewBox", `0 0 ${WIDTH} ${height}`);
    const plot = svg
      .selectAll("g.plot")
      .data([null])
      .join("g")
      .attr("class", "plot")
      .attr("transform", `translate(${m.left},${m.top})`);
    const w = WIDTH - m.left - m.right;
    const h = height - m.top - m.bottom;
    const extent = d3.extent(points, (d) => d.time);
    const x = d3
      .scaleTime()
      .domain(extent[0] ? (extent[0] < extent[1] ? extent : [extent[0] - 1000, +extent[0] + 1000]) : [0, 1])
      .range([0, w]);
    const y = d3.scaleLinear().domain([0, 1]).range([h, 0]);
    const seconds = (x.domain()[1] - x.domain()[0]) / 1000; // a short span: one tick a second, no repeats
    plot
      .selectAll("g.x-axis")
      .data([null])
      .join("g")
      .attr("class", "x-axis")
      .attr("transform", `translate(0,${h})`)
      .call(d3.axisBottom(x).ticks(seconds < 6 ? d3.timeSecond.every(1) : 6).tickFormat(d3.timeFormat("%H:%M:%S")));
    plot.selectAll("g.y-axis").data([null]).join("g").attr("class", "y-axis").call(d3.axisLeft(y).ticks(5, "%"));
    plot
      .selectAll("text.axis-title")
      .data(["batch time"])
      .join("text")
      .attr("class", "axis-title")
      .attr("x", w / 2)
      .attr("y", h + 32)
      .attr("text-anchor", "middle")
      .text((d) => d);
    const series = ["positive", "negative"].map((kind) => ({
      kind,
      values: points.map((p) => ({ time: p.time, v: kind === "positive" ? p.pos : p.neg })),
    }));
    const line = d3
      .line()
      .defined((d) => d.v !== null)
      .x((d) => x(d.time))
      .y((d) => y(d.v));
    plot
      .selectAll("path.line")
      .data(series, (d) => d.kind)
      .join("path")
      .attr("class", (d) => `line ${d.kind}`)
      .attr("d", (d) => line(d.values));
    const last = series.map((d) => ({ kind: d.kind, point: d.values.filter((p) => p.v !== null).at(-1) }));
    plot
      .selectAll("text.end-label")
      .data(last.filter((d) => d.point), (d) => d.kind)
      .join("text")
      .attr("class", (d) => `end-label ${d.kind}`)
      .attr("x", (d) => x(d.point.time) + 8)
      .attr("y", (d) => y(d.point.v) + (d.kind === "positive" ? -4 : 12))
      .text((d) => `${d.kind} ${fmtPct(d.point.v)}`);
    if (state.basis) document.getElementById("share-basis").textContent = BASIS[state.basis];
    const words = last
      .filter((d) => d.point)
      .map((d) => `${d.kind} ${fmtPct(d.point.v)}`)
      .join(", ");
    svg
      .select("desc")
      .text(
        points.length
          ? `Line chart of ${points.length} snapshots; positive is a solid line, negative a dashed one; latest: ${words}.`
          : "No snapshot yet."
      );
  }

  let timer = null;
  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  async function poll() {
    try {
      const since = state.next;
      const response = await fetch(`snapshots?since=${since}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const chunk = await response.json();
      if (chunk.next < since) {
        reset(); // the file was started again (a new run): read it from its first line
        drawWords();
        drawShare();
        schedule(0);
        return;
      }
      const changed = chunk.snapshots.length > 0 || chunk.bad.length > 0;
      ingest(chunk);
      drawCounts(chunk);
      if (changed) {
        drawWords();
        drawShare();
      }
      schedule(chunk.more ? 0 : POLL_MS);
    } catch (err) {
      setStatus(`Cannot read new snapshots (${err.message}); trying again…`, true);
      schedule(POLL_MS * 2);
    }
  }

  drawWords();
  drawShare();
  poll();
})();
