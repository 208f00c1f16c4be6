// hark's web page: plain DOM, no framework. Every string from hark (transcripts are what people said) goes into the
// page as text, never as HTML.

const SVG = "http://www.w3.org/2000/svg";
let session = { token: "", listening: false };
let intentNames = [];

/** An element: `props` sets attributes (`class`, `for`, ...) and `on*` handlers; strings among the children are text. */
function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
        if (value == null || value === false) continue;
        if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child == null || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs ?? {})) el.setAttribute(key, String(value));
    for (const child of children.flat()) if (child != null) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return el;
}

function fill(id, ...children) {
    const el = document.getElementById(id);
    el.replaceChildren();
    return append(el, children);
}

function showError(message) {
    const el = document.getElementById("error");
    el.textContent = message ?? "";
    el.hidden = !message;
}

async function api(path, options = {}) {
    const init = { method: options.method ?? "GET", headers: {} };
    if (options.body !== undefined) {
        init.method = options.method ?? "POST";
        init.headers["X-Hark-Token"] = session.token;
        if (options.raw) {
            init.body = options.body;
            init.headers["Content-Type"] = options.type || "application/octet-stream";
        } else {
            init.body = JSON.stringify(options.body);
            init.headers["Content-Type"] = "application/json";
        }
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error ?? `${response.status} ${response.statusText}`);
    return data;
}

const pct = (x) => `${(x * 100).toFixed(1)} %`;
const when = (iso) => {
    const d = new Date(iso);
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
};
const call = (name, args) => `${name}(${Object.keys(args ?? {}).length ? JSON.stringify(args) : ""})`;

// ---- one turn, as a timeline ----

/** What a stage did, in a few words. */
function stageSummary(stage) {
    if (stage.error) return `failed: ${stage.error.message}`;
    const out = stage.output ?? {};
    switch (stage.name) {
        case "wake": return out.keyword ? `${out.keyword} (score ${out.score})` : out.heardBy ? `started by ${out.heardBy}` : "";
        case "endpoint": return out.speech === false ? "no speech" : `${out.speechMs} ms of speech, ${out.levelDbfs} dBFS, ended by ${out.reason}`;
        case "transcribe": return `"${out.text ?? ""}"${typeof out.confidence === "number" ? `, confidence ${out.confidence.toFixed(2)}` : ""}${out.engine ? ` (${out.engine})` : ""}${out.rejected ? `, turned down: ${out.rejected}` : ""}`;
        case "recognize": {
            const asked = (out.attempts ?? []).map((a) => `${a.engine}: ${a.verdict}${a.intent && a.intent !== a.verdict ? ` ${a.intent}` : ""}${a.confidence != null ? ` ${a.confidence.toFixed(2)}` : ""}${a.error ? ` (${a.error})` : ""}`);
            const d = out.decision ?? {};
            return `${asked.join("; ") || "no engine asked"} ⇒ ${d.verdict ?? "?"}${d.reason ? ` (${d.reason})` : ""}`;
        }
        case "dispatch": return out.ok === false ? "the handler failed" : "handler ran";
        case "confirm": return `asked "${out.question}", answer: ${out.answer ?? "none"}`;
        case "speak": return out.wav ? `written to ${out.wav}` : "spoken";
        case "quiet": return out.reason ?? "";
        case "timer": return `${out.label ? `${out.label} ` : ""}timer rang${out.late ? " late" : ""}`;
        case "dry-run": return `decision: ${out.decision}; nothing was run`;
        default: return "";
    }
}

function turnCard(record, options = {}) {
    const failed = record.failed ?? (record.toolCall == null || record.result?.ok === false || record.error != null);
    const said = record.input.source === "timer" ? "(a timer rang)" : record.input.text ? `"${record.input.text}"` : "(nothing heard)";
    // A timeline: each stage starts where the one before it ended.
    const total = Math.max(1, record.stages.reduce((ms, s) => ms + s.durationMs, 0));
    let at = 0;
    const stages = record.stages.map((s) => {
        const bar = h("div", { class: `bar${s.error ? " error" : ""}`, title: `${s.durationMs} ms` }, h("span"));
        bar.firstChild.style.marginLeft = `${Math.min(99.5, (at / total) * 100)}%`;
        bar.firstChild.style.width = `${Math.max(0.5, (s.durationMs / total) * 100)}%`;
        at += s.durationMs;
        return h("div", { class: "stage" }, h("span", {}, s.name, h("br"), h("small", { class: "muted" }, `${s.durationMs.toFixed(1)} ms`)), bar, h("span", { class: "what" }, stageSummary(s)));
    });
    const card = h("div", { class: `card turn ${failed ? "failed" : "acted"}`, "data-turn": record.id },
        h("h4", {}, said),
        h("div", { class: "muted" }, `${when(record.time)} · ${record.input.source}${record.room ? ` · ${record.room}` : ""} · ${Math.round(record.totalMs)} ms`),
        stages,
        record.toolCall
            ? h("p", { class: "call" }, "→ ", call(record.toolCall.name, record.toolCall.arguments), h("span", { class: "muted" }, ` (${record.toolCall.engine}, ${record.toolCall.confidence.toFixed(2)})`))
            : h("p", { class: "muted" }, "no action"),
        record.error ? h("p", { class: "error" }, `✗ ${record.error.code}: ${record.error.message}`) : null,
        h("p", { class: "reply" }, "← ", record.reply || "(no reply)"));
    if (options.explain && record.toolCall == null && record.input.text) card.append(explainBox(record));
    if (options.label && record.input.source !== "timer" && record.input.text) card.append(labelBox(record));
    return card;
}

function explainBox(record) {
    const out = h("div");
    const button = h("button", {
        class: "plain", type: "button", onclick: async () => {
            button.disabled = true;
            try {
                const e = await api(`/api/turns/${encodeURIComponent(record.id)}/explain`);
                out.replaceChildren(h("div", {},
                    h("strong", {}, "Why not understood"),
                    e.templates.length === 0 ? h("p", { class: "muted" }, "No template comes near it.") : h("ul", {}, e.templates.map((t) => h("li", {},
                        h("span", { class: "mono" }, `${t.intent}: ${t.template}`), h("br"),
                        h("small", { class: "muted" }, t.edits.length ? t.edits.map(describeEdit).join(", ") : "matches, but was below the threshold or turned down")))),
                    "unavailable" in e.model
                        ? h("p", { class: "muted" }, `Model: not asked: ${e.model.unavailable}`)
                        : h("p", {}, `Model (${e.model.profile}): `, e.model.answers.slice(0, 4).map((a) => `${a.intents.join(" / ")} ${(a.probability * 100).toFixed(1)} %`).join("; "))));
            } catch (error) {
                out.replaceChildren(h("p", { class: "error" }, error.message));
            } finally {
                button.disabled = false;
            }
        }
    }, "Why?");
    return h("div", {}, button, out);
}

function describeEdit(edit) {
    if (edit.startsWith("+")) return `"${edit.slice(1)}" is not in the template`;
    if (edit.startsWith("-")) return `"${edit.slice(1)}" was not said`;
    const [heard, wanted] = edit.split("→");
    return `"${heard}" is not "${wanted}"`;
}

/** "This was right" / "should have been …": saves the sentence with its label to usage.jsonl. */
function labelBox(record) {
    const status = h("span", { class: "muted" });
    const save = async (label) => {
        try {
            const saved = await api(`/api/turns/${encodeURIComponent(record.id)}/label`, { body: label });
            status.className = "ok";
            status.textContent = `saved to usage.jsonl${saved.replaced ? " (replacing this turn's earlier label)" : ""}: ${saved.line.expect ? call(saved.line.expect.intent, saved.line.expect.args) : "no action"}`;
        } catch (error) {
            status.className = "error";
            status.textContent = error.message;
        }
    };
    const intent = h("select", {}, intentNames.map((n) => h("option", { value: n }, n)));
    if (record.toolCall) intent.value = record.toolCall.name;
    const args = h("textarea", { "aria-label": "arguments as JSON", rows: 2 });
    args.value = JSON.stringify(record.toolCall?.arguments ?? {});
    const other = h("div", { hidden: true },
        h("div", { class: "row" }, h("label", {}, "Intent ", intent)),
        h("label", {}, "Arguments (JSON)", args),
        h("div", { class: "row" }, h("button", {
            type: "button", onclick: () => {
                let parsed;
                try {
                    parsed = JSON.parse(args.value || "{}");
                } catch {
                    status.className = "error";
                    status.textContent = "the arguments are not JSON";
                    return;
                }
                void save({ kind: "call", intent: intent.value, args: parsed });
            }
        }, "Save this label")));
    return h("div", { class: "label-box" },
        h("div", { class: "row" },
            h("button", { class: "plain", type: "button", onclick: () => save({ kind: "right" }) }, "This was right"),
            h("button", { class: "plain", type: "button", onclick: () => save({ kind: "none" }) }, "Should have done nothing"),
            h("button", { class: "plain", type: "button", onclick: () => { other.hidden = !other.hidden; } }, "Should have been …"),
            status),
        other);
}

// ---- pages ----

const pages = {
    live: () => undefined,
    turns: loadTurns,
    try: () => document.getElementById("try-text").focus(),
    intents: loadIntents,
    eval: loadEvals,
    models: loadModels
};

function route() {
    const name = (location.hash.slice(1) || "live").split("?")[0];
    const page = pages[name] ? name : "live";
    for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== page;
    for (const link of document.querySelectorAll("nav a")) link.classList.toggle("current", link.getAttribute("href") === `#${page}`);
    showError(null);
    Promise.resolve(pages[page]()).catch((error) => showError(error.message));
}

// Live

const rooms = new Map();

function roomView(room) {
    if (!rooms.has(room)) {
        const state = h("span", { class: "state" }, "—");
        const meter = h("div", { class: "meter", title: "microphone level" }, h("span"));
        const level = h("span", { class: "muted" });
        const heard = h("span", { class: "heard" });
        const el = h("div", { class: "room", "data-room": room }, h("strong", {}, room || "this machine"), state, meter, level, heard);
        document.getElementById("rooms").append(el);
        rooms.set(room, { state, meter: meter.firstChild, level, heard });
    }
    return rooms.get(room);
}

function setState(room, state, heard) {
    const view = roomView(room);
    view.state.textContent = state;
    view.state.className = `state ${state}`;
    // The turn in progress: what it heard, from transcription until the loop listens again.
    if (state === "listening" || state === "recording" || state === "idle") view.heard.textContent = "";
    else if (heard) view.heard.textContent = `"${heard}"`;
}

function connectLive() {
    const source = new EventSource("/api/live");
    const status = document.getElementById("connection");
    source.addEventListener("open", () => { status.textContent = "connected"; });
    source.addEventListener("error", () => { status.textContent = "reconnecting…"; });
    source.addEventListener("snapshot", (e) => {
        const snap = JSON.parse(e.data);
        for (const [room, state] of Object.entries(snap.rooms)) setState(room, state);
        if (!snap.listening && Object.keys(snap.rooms).length === 0) fill("rooms", h("p", { class: "muted" }, "Not listening: the page is served alone (hark ui). Typed turns still show here."));
        if (snap.lastTurn) fill("last-turn", turnCard(snap.lastTurn));
    });
    source.addEventListener("state", (e) => {
        const { room, state, heard } = JSON.parse(e.data);
        setState(room, state, heard);
    });
    source.addEventListener("level", (e) => {
        const { room, dbfs } = JSON.parse(e.data);
        const view = roomView(room);
        view.meter.style.width = `${Math.max(0, Math.min(100, ((dbfs + 70) / 70) * 100))}%`;
        view.level.textContent = `${dbfs.toFixed(0)} dBFS`;
    });
    source.addEventListener("turn", (e) => {
        fill("last-turn", turnCard(JSON.parse(e.data).record));
        if (!document.getElementById("turns").hidden) void loadTurns();
    });
    source.addEventListener("intents", () => {
        void refreshIntentNames();
        if (!document.getElementById("intents").hidden) void loadIntents();
    });
}

// Turns

async function loadTurns() {
    const form = document.getElementById("turn-filter");
    const query = new URLSearchParams({ count: "50", intent: form.intent.value, failed: form.failed.checked ? "1" : "", hours: form.hours.value });
    const data = await api(`/api/turns?${query}`);
    fill("turn-list", data.turns.length ? data.turns.map((t) => turnCard(t, { explain: true, label: true }))
        : h("p", { class: "muted" }, data.tracing ? "No turn matches." : "Tracing is off (trace.enabled): no turns are kept."));
}

// Try

async function tryText(event) {
    event.preventDefault();
    const form = event.target;
    const text = form.text.value.trim();
    if (!text) return;
    fill("try-result", h("p", { class: "muted" }, "…"));
    try {
        const record = await api("/api/try", { body: { text, dryRun: form.dryRun.checked, speak: form.speak.checked } });
        fill("try-result", turnCard(record, { explain: !form.dryRun.checked, label: !form.dryRun.checked }));
    } catch (error) {
        fill("try-result", h("p", { class: "error" }, error.message));
    }
}

async function tryRecording(event) {
    event.preventDefault();
    const file = event.target.audio.files[0];
    if (!file) return;
    fill("try-result", h("p", { class: "muted" }, `listening to ${file.name}…`));
    try {
        const { turns } = await api("/api/listen", { body: file, raw: true, type: file.type || "audio/wav" });
        fill("try-result", turns.length ? turns.map((t) => turnCard(t, { explain: true, label: true })) : h("p", { class: "muted" }, "No wake word was heard in it."));
    } catch (error) {
        fill("try-result", h("p", { class: "error" }, error.message));
    }
}

// Intents

async function refreshIntentNames() {
    const { intents } = await api("/api/intents");
    intentNames = intents.map((i) => i.name).sort();
    const select = document.querySelector("#turn-filter select[name=intent]");
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "" }, "any"), ...intentNames.map((n) => h("option", { value: n }, n)));
    select.value = chosen;
    return intents;
}

async function loadIntents() {
    const { intents, problems } = await api("/api/intents");
    intentNames = intents.map((i) => i.name).sort();
    fill("intent-problems", problems.length ? h("div", { class: "card failed" },
        h("strong", {}, `${problems.length} file(s) could not be loaded (the others work):`),
        h("ul", {}, problems.map((p) => h("li", { class: "mono problem" }, p.message)))) : null);
    fill("intent-list", intents.map((i) => h("div", { class: "card intent", "data-intent": i.name },
        h("h4", {}, i.name), h("p", {}, i.description),
        h("p", { class: "muted mono" }, `${i.file} (${i.format})${i.confirms ? " · asks before acting when unsure" : ""}`),
        i.warnings.length ? h("ul", { class: "error" }, i.warnings.map((w) => h("li", {}, w))) : null,
        i.slots.length ? h("table", {}, h("tr", {}, h("th", {}, "slot"), h("th", {}, "takes")), i.slots.map((s) => h("tr", {}, h("td", { class: "mono" }, s.name), h("td", {}, s.takes)))) : null,
        h("details", {}, h("summary", {}, `${i.sentences.reduce((n, g) => n + g.sentences.length, 0)} sentences`),
            h("ul", {}, i.sentences.flatMap((g) => g.sentences.map((s) => h("li", { class: "mono" }, s, Object.keys(g.args).length ? h("span", { class: "muted" }, `  ${JSON.stringify(g.args)}`) : null))))),
        h("details", {}, h("summary", {}, `${i.examples.length} examples`),
            h("ul", {}, i.examples.map((e) => h("li", {}, `"${e.text}" → `, h("span", { class: "mono" }, call(i.name, e.args)))))))));
}

// Eval

async function loadEvals() {
    const data = await api("/api/evals");
    const select = document.getElementById("eval-source");
    const chosen = select.value;
    select.replaceChildren(...data.sources.map((s) => h("option", { value: s.id }, s.label)));
    if (chosen) select.value = chosen;
    const picked = new Set();
    const compare = h("button", { type: "button", disabled: true, onclick: () => compareRuns([...picked]) }, "Compare the two");
    fill("eval-runs", data.runs.length === 0 ? h("p", { class: "muted" }, "No eval has been run from here yet (hark eval --save keeps one from the terminal).") : [
        h("div", { class: "wide" }, h("table", {}, h("tr", {}, h("th"), h("th", {}, "when"), h("th", {}, "sentences"), h("th", {}, "profile"), h("th", {}, "accuracy"), h("th", {}, "false actions"), h("th", {}, "slot F1")),
            data.runs.map((r) => h("tr", { class: "eval-run" },
                h("td", {}, h("input", {
                    type: "checkbox", "aria-label": `pick ${r.id}`, onchange: (e) => {
                        if (e.target.checked) picked.add(r.id);
                        else picked.delete(r.id);
                        compare.disabled = picked.size !== 2;
                    }
                })),
                h("td", {}, h("a", { href: "#eval", onclick: (e) => { e.preventDefault(); void showRun(r.id); } }, when(r.time))),
                h("td", {}, `${r.sources.join(", ")} (${r.cases})`), h("td", {}, r.profile ?? "templates only"),
                h("td", {}, pct(r.intentAccuracy)), h("td", {}, pct(r.falseActionRate)), h("td", {}, pct(r.slotF1)))))),
        h("div", { class: "row" }, compare)]);
}

async function runEvalFromPage(event) {
    event.preventDefault();
    const status = document.getElementById("eval-status");
    const button = event.target.querySelector("button");
    button.disabled = true;
    status.textContent = "running…";
    try {
        const run = await api("/api/evals", { body: { source: event.target.source.value } });
        status.textContent = "";
        fill("eval-result", evalReport(run));
        await loadEvals();
    } catch (error) {
        status.textContent = "";
        showError(error.message);
    } finally {
        button.disabled = false;
    }
}

async function showRun(id) {
    fill("eval-result", evalReport(await api(`/api/evals/${encodeURIComponent(id)}`)));
}

async function compareRuns(ids) {
    const runs = await Promise.all(ids.map((id) => api(`/api/evals/${encodeURIComponent(id)}`)));
    fill("eval-compare", h("h3", {}, "Side by side"), h("div", { class: "side" }, runs.map((r) => evalReport(r, { brief: true }))));
}

/** Per expected intent: the share of its sentences that got it (for "none": that got no action). */
function perIntent(report) {
    return Object.entries(report.confusion).map(([expected, row]) => {
        const total = Object.values(row).reduce((a, b) => a + b, 0);
        return { intent: expected, total, right: row[expected] ?? 0 };
    }).sort((a, b) => a.intent.localeCompare(b.intent));
}

function barChart(rows) {
    const width = 520, rowHeight = 20, labelWidth = 170;
    const chart = svg("svg", { class: "chart bars", viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, width: "100%", role: "img", "aria-label": "accuracy by intent" });
    rows.forEach((r, i) => {
        const share = r.total ? r.right / r.total : 0;
        const y = i * rowHeight + 2;
        chart.append(
            svg("text", { x: 0, y: y + 14 }, r.intent === "none" ? "no action" : r.intent),
            svg("rect", { x: labelWidth, y: y + 2, width: width - labelWidth - 70, height: rowHeight - 6, fill: "#f0f1f3" }),
            svg("rect", { class: "bar", x: labelWidth, y: y + 2, width: Math.max(1, share * (width - labelWidth - 70)), height: rowHeight - 6, fill: share >= 0.9 ? "#2b8a3e" : share >= 0.7 ? "#d08a1c" : "#c2352b" }),
            svg("text", { x: width - 64, y: y + 14 }, `${(share * 100).toFixed(0)} % of ${r.total}`));
    });
    return chart;
}

function confusionChart(report) {
    const labels = [...new Set([...Object.keys(report.confusion), ...Object.values(report.confusion).flatMap((row) => Object.keys(row))])].sort();
    const cell = 26, left = 150, top = 150;
    const max = Math.max(1, ...Object.values(report.confusion).flatMap((row) => Object.values(row)));
    const chart = svg("svg", { class: "chart confusion", viewBox: `0 0 ${left + labels.length * cell + 90} ${top + labels.length * cell + 4}`, width: "100%", role: "img", "aria-label": "confusion matrix: expected (rows) against chosen (columns)" });
    labels.forEach((label, i) => {
        const name = label === "none" ? "no action" : label;
        chart.append(svg("text", { x: left - 6, y: top + i * cell + 17, "text-anchor": "end" }, name));
        chart.append(svg("text", { transform: `translate(${left + i * cell + 17} ${top - 6}) rotate(-60)` }, name));
    });
    labels.forEach((expected, i) => labels.forEach((chosen, j) => {
        const n = report.confusion[expected]?.[chosen] ?? 0;
        const strength = n / max;
        const colour = i === j ? `rgba(43,138,62,${0.15 + 0.85 * strength})` : n ? `rgba(194,53,43,${0.25 + 0.75 * strength})` : "#f6f7f8";
        const square = svg("rect", { x: left + j * cell, y: top + i * cell, width: cell - 2, height: cell - 2, fill: colour },
            svg("title", {}, `expected ${expected}, chose ${chosen}: ${n}`));
        chart.append(square);
        if (n) chart.append(svg("text", { x: left + j * cell + cell / 2 - 1, y: top + i * cell + 17, "text-anchor": "middle" }, String(n)));
    }));
    return chart;
}

function evalReport(run, options = {}) {
    const r = run.report;
    const byEngine = (counts) => Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
    return h("div", { class: "card eval-report" },
        h("h4", {}, `${run.sources.join(", ")} · ${run.profile ?? "templates only"}`),
        h("p", { class: "muted" }, when(run.time)),
        h("div", { class: "numbers" },
            h("div", {}, "intent accuracy", h("b", {}, pct(r.intentAccuracy))),
            h("div", {}, "exact calls", h("b", {}, pct(r.exactRate))),
            h("div", {}, `false actions (of ${r.nullCases})`, h("b", {}, pct(r.falseActionRate)), h("small", { class: "muted" }, byEngine(r.falseActionsBySource))),
            h("div", {}, "slot F1", h("b", {}, pct(r.slotF1))),
            h("div", {}, "p50 / p95", h("b", {}, `${r.latencyMs.p50.toFixed(1)} / ${r.latencyMs.p95.toFixed(1)} ms`)),
            h("div", {}, "sentences", h("b", {}, String(r.cases)))),
        h("h3", {}, "By intent"), barChart(perIntent(r)),
        options.brief ? null : [h("h3", {}, "Confusion (rows: expected, columns: chosen)"), confusionChart(r)],
        r.errors.length ? h("details", { open: !options.brief }, h("summary", {}, `${r.errors.length} misrecognised`),
            h("ul", { class: "errors" }, r.errors.map((e) => h("li", {}, `"${e.text}"`, h("br"),
                h("small", { class: "mono" }, `expected ${e.expect ? call(e.expect.intent, e.expect.args) : "no action"}; got ${e.got.intent ? call(e.got.intent, e.got.args) : "no action"}`))))) : null);
}

// Models

async function loadModels() {
    const data = await api("/api/models");
    const use = (name) => async () => {
        try {
            await api("/api/models/use", { body: { name } });
            await loadModels();
        } catch (error) {
            showError(error.message);
        }
    };
    const usable = (m) => m.state === "shipped" || m.state === "downloaded";
    fill("model-list",
        h("p", {}, data.profile ? `LLM profile in use: ${data.profile}` : "The LLM is off (templates only)."),
        h("div", { class: "wide" }, h("table", {}, h("tr", {}, h("th"), h("th", {}, "model"), h("th", {}, "role"), h("th", {}, "size"), h("th", {}, "state"), h("th", {}, "suits"), h("th")),
            data.models.map((m) => h("tr", { class: `model${m.inUse ? " in-use" : ""}`, "data-model": m.name },
                h("td", {}, m.inUse ? "●" : ""), h("td", { class: "mono" }, m.name), h("td", {}, m.role),
                h("td", {}, m.bytes ? `${(m.bytes / 1e6).toFixed(m.bytes < 1e7 ? 1 : 0)} MB` : "?"), h("td", {}, m.state), h("td", {}, m.suits),
                h("td", {}, !m.inUse && usable(m) ? h("button", { type: "button", onclick: use(m.name) }, "Use") : !usable(m) ? h("small", { class: "muted" }, `hark models pull ${m.name}`) : null))))),
        data.profiles.length ? [h("h3", {}, "Your profiles (llm.profiles)"),
            h("table", {}, data.profiles.map((p) => h("tr", { class: `profile${p.inUse ? " in-use" : ""}`, "data-profile": p.name },
                h("td", {}, p.inUse ? "●" : ""), h("td", { class: "mono" }, p.name), h("td", { class: "mono" }, p.model),
                h("td", {}, p.inUse ? null : h("button", { type: "button", onclick: use(p.name) }, "Use")))))] : null,
        h("p", { class: "muted" }, `Models folder: ${data.modelsDir}. A switch is written to the config file, as hark models use does.`));
}

// ---- start ----

async function start() {
    session = await api("/api/session");
    document.getElementById("try-form").addEventListener("submit", tryText);
    document.getElementById("listen-form").addEventListener("submit", tryRecording);
    document.getElementById("turn-filter").addEventListener("submit", (e) => { e.preventDefault(); void loadTurns().catch((error) => showError(error.message)); });
    document.getElementById("eval-form").addEventListener("submit", runEvalFromPage);
    window.addEventListener("hashchange", route);
    await refreshIntentNames();
    connectLive();
    route();
    document.body.dataset.ready = "true";
}

start().catch((error) => showError(`hark's page could not start: ${error.message}`));
