// The console's page: lays the diagram out, polls for changed files, drives the phone, shows node
// details and explains the policy. No framework, no build step; the server renders every part
// but the picture, which Graphviz (Viz.js, static/vendor/viz-global.js) draws here from the DOT.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  let version = Number(document.body.dataset.version);

  // call is the phone's state: the answers so far, what is typed, and where the call is.
  const call = { active: false, answers: [], buffer: "", waiting: null, path: [], current: "", busy: false };
  let selected = "";
  let reach = null; // diagram node ID → verdict, from the last explanation

  async function post(path, body) {
    const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) throw new Error(data.detail || res.statusText);
    return data;
  }

  // ---- the diagram: layout, highlight, select, details
  // graphviz is the page's one Graphviz: WebAssembly compiled once, on first use.
  let graphviz = null;
  // layout replaces "Laying the diagram out…" with the picture of the DOT beside it. Graphviz
  // copies the DOT's ids and classes into the SVG: g.node#n3.menu, g.edge#e0.edge-option.
  async function layout() {
    const box = $("#diagram");
    const src = $("pre.dot", box);
    if (!src) return;
    try {
      if (!graphviz) graphviz = Viz.instance();
      const svg = (await graphviz).renderSVGElement(src.textContent);
      if (src.parentNode !== box) return; // a newer diagram arrived meanwhile; it lays itself out
      $$("svg, .laying-out, .layout-failed", box).forEach((el) => el.remove());
      box.appendChild(svg);
    } catch (e) {
      graphviz = null; // try afresh with the next diagram
      $$(".laying-out", box).forEach((el) => el.remove());
      const p = document.createElement("p");
      p.className = "problems errors layout-failed";
      p.textContent = "The diagram could not be laid out here (" + e.message + "). switchboard graph --format dot | dot -Tsvg draws it with Graphviz.";
      box.appendChild(p);
    }
  }
  // decorate makes the diagram's nodes reachable from the keyboard: Tab to one, Enter to open it.
  function decorate() {
    $$("#diagram g.node").forEach((g) => {
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      const t = g.querySelector("text");
      if (t) g.setAttribute("aria-label", t.textContent);
    });
  }
  $("#diagram").addEventListener("keydown", (ev) => {
    const g = ev.target.closest("g.node");
    if (g && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); select(g.id); }
  });
  function paint() {
    $$("#diagram g.node").forEach((g) => {
      g.classList.remove("visited", "current", "selected", "reach-allow", "reach-deny", "reach-none");
      if (call.path.includes(g.id)) g.classList.add("visited");
      if (g.id === call.current) g.classList.add("current");
      if (g.id === selected) g.classList.add("selected");
      if (reach && reach[g.id]) g.classList.add("reach-" + reach[g.id]);
    });
  }
  function select(id) {
    const src = $('#nodes [data-node="' + id + '"]');
    if (!src) return;
    selected = id;
    $("#details").innerHTML = src.innerHTML;
    $("#details").dataset.node = id;
    paint();
  }
  $("#diagram").addEventListener("click", (ev) => {
    const g = ev.target.closest("g.node");
    if (g) select(g.id);
  });
  $("#matrix").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr[data-node]");
    if (tr && ev.target.closest("td.route")) select(tr.dataset.node);
  });
  $("#zoom").addEventListener("click", () => {
    const d = $("#diagram");
    const fit = d.classList.toggle("fit");
    $("#zoom").textContent = fit ? "Actual size" : "Fit";
    $("#zoom").setAttribute("aria-pressed", String(!fit));
  });

  // ---- live reload
  async function poll() {
    try {
      const res = await fetch("api/state?since=" + version, { cache: "no-store" });
      if (res.ok) {
        const st = await res.json();
        if (st.parts) {
          for (const [id, html] of Object.entries(st.parts)) $("#" + id).innerHTML = html;
          await layout();
          version = st.version;
          document.body.dataset.version = String(version);
          $("#status").className = "status " + (st.ok ? "ok" : "bad");
          decorate();
          if (selected) select(selected);
          paint();
        }
      }
    } catch (e) { /* the console stopped; keep the page as it is */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);

  // ---- the phone
  function show(data) {
    const ol = $("#transcript");
    ol.innerHTML = "";
    for (const line of data.lines || []) {
      const li = document.createElement("li");
      li.textContent = line;
      li.className = "v-" + line.split(" ")[0].toLowerCase();
      ol.appendChild(li);
    }
    if (data.error) {
      const li = document.createElement("li");
      li.className = "err";
      li.textContent = "Twilio would refuse this: " + data.error;
      ol.appendChild(li);
    } else if (data.ended) {
      const li = document.createElement("li");
      li.className = "end";
      li.textContent = "call ended: " + data.ended;
      ol.appendChild(li);
    }
    ol.scrollTop = ol.scrollHeight;
    call.path = data.path || [];
    call.current = data.current || "";
    call.waiting = data.waiting || null;
    call.active = !!call.waiting;
    call.buffer = "";
    showState();
    paint();
  }
  function showState() {
    const w = call.waiting;
    $("#buffer").textContent = w && w.sensitive ? "•".repeat(call.buffer.length) : call.buffer;
    let s;
    if (!w) s = call.path.length ? "Call ended. Press a key or Call to call again." : "Press a key or Call to dial in.";
    else if (w.input === "speech") s = "listening for words…";
    else if (w.numDigits > 0) s = "listening for " + w.numDigits + " digit" + (w.numDigits > 1 ? "s" : "") + (w.input.includes("speech") ? " or words" : "") + "…";
    else s = "listening: press digits, then " + (w.finishOnKey || "#") + "…";
    $("#state").textContent = s;
    $("#phone").dataset.state = w ? "waiting" : call.path.length ? "ended" : "idle";
  }
  async function place(extra) {
    if (call.busy) return;
    call.busy = true;
    try {
      show(await post("api/call", Object.assign({ from: $("#from").value, to: $("#to").value.trim(), at: $("#at").value, attest: $("#attest").value, agent_end: $("#agentend").value.trim(), answers: call.answers }, extra || {})));
    } catch (e) {
      show({ lines: [], error: e.message });
    } finally {
      call.busy = false;
    }
  }
  async function start() {
    call.answers = [];
    await place();
  }
  function answer(a) {
    call.answers.push(a);
    return place();
  }
  async function key(k) {
    if (!call.active) await start();
    const w = call.waiting;
    if (!w) return;
    const finish = w.finishOnKey || "";
    if (finish.includes(k)) { await answer({ press: call.buffer + k }); return; }
    call.buffer += k;
    showState();
    if (w.numDigits > 0 && call.buffer.length >= w.numDigits) await answer({ press: call.buffer });
  }
  const queue = [];
  let draining = false;
  async function drain() {
    if (draining) return;
    draining = true;
    while (queue.length) await key(queue.shift());
    draining = false;
  }
  $$(".key").forEach((b) => b.addEventListener("click", () => { queue.push(b.dataset.key); drain(); }));
  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest("input, select, button, #diagram")) return;
    if (/^[0-9*#]$/.test(ev.key)) { queue.push(ev.key); drain(); }
  });
  $("#call").addEventListener("click", start);
  $("#wait").addEventListener("click", async () => { if (!call.active) await start(); else await answer({}); });
  $("#hangup").addEventListener("click", () => { if (call.active) place({ hangup: true }); });
  $("#sayform").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const words = $("#say").value.trim();
    if (!words) return;
    if (!call.active) await start();
    $("#say").value = "";
    await answer({ say: words });
  });

  // ---- explain: what a set of principals reaches
  $("#explainform").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("#explained");
    try {
      const x = await post("api/explain", { principals: $("#principals").value });
      reach = x.nodes;
      const words = { allow: "allowed", deny: "denied", none: "not granted" };
      let html = "<p class=hint>As " + esc(x.principals.join(", ")) + " (menus colored on the diagram):</p><ul>";
      for (const r of x.routes) {
        html += '<li class="' + r.verdict + '"><code>' + esc(r.route) + "</code> " + esc(r.permission) + ": " + words[r.verdict] +
          (r.line ? ' by <a href="#policy-L' + r.line + '">line ' + r.line + "</a> <code>" + esc(r.rule) + "</code>" : "") + "</li>";
      }
      out.innerHTML = html + "</ul>";
    } catch (e) {
      reach = null;
      out.innerHTML = '<p class="hint">' + esc(e.message) + "</p>";
    }
    paint();
  });
  $("#clearexplain").addEventListener("click", () => { reach = null; $("#explained").innerHTML = ""; paint(); });
  function esc(s) { return String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";"); }

  // ---- recent calls, on a running server
  async function recent() {
    try {
      const res = await fetch("api/recent", { cache: "no-store" });
      if (res.ok) {
        const calls = await res.json();
        let html = calls.length ? "" : '<p class="hint">No calls yet.</p>';
        for (const c of calls) {
          html += '<div class="call"><b><code>' + esc(c.sid) + "</code></b> " + esc(new Date(c.started).toLocaleTimeString()) + "<ol>";
          for (const s of c.steps) {
            html += "<li><code>" + esc(s.path) + "</code> " + esc(s.status) + (s.digits ? " digits " + esc(s.digits) : "") +
              (s.decision ? " — " + esc(s.decision) + ": " + esc(s.reason) : "") + (s.errorFlow ? " — heard the " + esc(s.errorFlow) + " flow" : "") +
              (s.principals ? " <span class=hint>" + esc(s.principals.join(", ")) + "</span>" : "") + "</li>";
          }
          html += "</ol></div>";
        }
        $("#recent").innerHTML = html;
      }
    } catch (e) { /* keep what is shown */ }
    setTimeout(recent, 3000);
  }
  if (document.body.dataset.recent === "true") recent();
  showState();
  layout().then(() => { decorate(); paint(); });
})();
