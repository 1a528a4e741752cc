/* newswire live incident map.
 *
 * Loads ../incidents (a JSON array, newest last_seen first), then follows ../incidents/stream (server-sent
 * events: `event: incident`, data = one incident's full new state, replacing any earlier state with the same
 * incident_id). Draws incidents that have coordinates as circles on an offline world map (d3-geo +
 * topojson-client + world-atlas, all from vendor/) and lists every incident beside it.
 *
 * All text from the data goes in through textContent / setAttribute, never innerHTML. URLs are relative so
 * the page works behind any path prefix (it must be served at .../map/ with the trailing slash).
 */
(function () {
  "use strict";

  const INCIDENTS_URL = "../incidents";
  const STREAM_URL = "../incidents/stream";
  const WORLD_URL = "vendor/countries-110m.json";
  const WORLD_DETAIL_URL = "vendor/countries-50m.json";
  const DETAIL_ZOOM = 3; // from this zoom factor on, the 1:50m borders replace the 1:110m ones
  const MAX_INCIDENTS = 500;
  const MAX_ZOOM = 60;
  const FRESH_MS = 8000;
  const SVG_NS = "http://www.w3.org/2000/svg";

  // Type groups: CAMEO/PLOVER "quad classes", with protest and disasters apart.
  const GROUPS = [
    { id: "material-conflict", label: "Material conflict", color: "#ff5a52",
      types: ["ASSAULT", "COERCE", "MOBILIZE", "SANCTION"] },
    { id: "protest", label: "Protest", color: "#ffa23a", types: ["PROTEST"] },
    { id: "verbal-conflict", label: "Verbal conflict", color: "#e07bff", types: ["ACCUSE", "REJECT", "THREATEN"] },
    { id: "verbal-cooperation", label: "Verbal cooperation", color: "#5cb2ff",
      types: ["AGREE", "CONSULT", "SUPPORT", "REQUEST"] },
    { id: "material-cooperation", label: "Material cooperation", color: "#3fd99a",
      types: ["COOPERATE", "AID", "CONCEDE", "RETREAT"] },
    { id: "disaster", label: "Disaster", color: "#f4dc4c", types: ["DISASTER"] },
  ];
  const OTHER_GROUP = { id: "other", label: "Other", color: "#b7c2cf", types: [] };
  const GROUP_OF_TYPE = new Map();
  for (const g of GROUPS) for (const t of g.types) GROUP_OF_TYPE.set(t, g);

  const COUNT_KINDS = [
    ["killed", "killed"],
    ["injured", "injured"],
    ["arrested", "arrested"],
    ["participants", "participants"],
  ];
  const QUALIFIER_PREFIX = {
    at_least: "at least ", more_than: "more than ", about: "about ", up_to: "up to ",
    fewer_than: "fewer than ", vague: "~",
  };
  const RULE_TEXT = {
    single_report: "from one report",
    agreed: "agreed by the reports",
    latest_update: "the latest update",
    highest_lower_bound: "the highest lower bound",
    median: "the median",
  };

  // ---------------------------------------------------------------- state
  /** @type {Map<string, {data: any, li: HTMLLIElement|null, marker: SVGCircleElement|null, fresh: number}>} */
  const incidents = new Map();
  const expanded = new Set();
  const hiddenGroups = new Set();
  let textFilter = "";
  let selectedId = null;
  let hoverId = null;
  let dirty = new Set();
  let flushTimer = null;

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG_NS, tag);
    if (attrs) for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  const $ = (id) => document.getElementById(id);

  // The address's fragment keeps what a link should reopen: #view=lon,lat,zoom (a wall screen pointed at
  // a region), #incident=<id> (one incident opened), #fit (start zoomed to the incidents).
  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }
  function setHashParam(key, value) {
    if (!history.replaceState) return;
    const p = hashParams();
    if (value === null || value === undefined) p.delete(key);
    else p.set(key, value);
    const h = p.toString().replace(/%2C/gi, ",").replace(/=(?=&|$)/g, "");
    const url = location.pathname + location.search + (h ? "#" + h : "");
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }

  // ---------------------------------------------------------------- formatting
  let regionNames = null;
  try {
    regionNames = new Intl.DisplayNames(["en"], { type: "region" });
  } catch (_) {
    regionNames = null;
  }
  function countryName(code) {
    if (!code) return null;
    try {
      return (regionNames && regionNames.of(String(code).toUpperCase())) || String(code);
    } catch (_) {
      return String(code);
    }
  }
  function titleCase(s) {
    s = String(s || "").replace(/_/g, " ").toLowerCase();
    return s.charAt(0).toUpperCase() + s.slice(1);
  }
  function groupOf(inc) {
    return GROUP_OF_TYPE.get(inc.event_type) || OTHER_GROUP;
  }
  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }
  function parseTime(s) {
    if (!s) return NaN;
    const t = Date.parse(s);
    return Number.isNaN(t) ? NaN : t;
  }
  function parseDay(s) {
    // "YYYY-MM-DD" as a UTC day
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ""));
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  }
  const fmtDay = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" });
  const fmtMonth = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "short", year: "numeric" });
  const fmtStamp = new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const fmtClock = new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  function formatStamp(iso) {
    const t = parseTime(iso);
    return Number.isNaN(t) ? "time unknown" : fmtStamp.format(t) + " UTC";
  }
  function formatIncidentDate(d) {
    if (!d) return null;
    const t = parseDay(d.date);
    if (Number.isNaN(t)) return String(d.date || "");
    switch (d.precision) {
      case "year": return String(new Date(t).getUTCFullYear());
      case "month": return fmtMonth.format(t);
      case "week": return "week of " + fmtDay.format(t);
      default: return fmtDay.format(t);
    }
  }
  function relative(iso) {
    const t = parseTime(iso);
    if (Number.isNaN(t)) return "";
    const s = Math.round((Date.now() - t) / 1000);
    if (s < -60) return fmtStamp.format(t) + " UTC";
    if (s < 60) return "just now";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 48 * 3600) return Math.floor(s / 3600) + " h ago";
    return fmtStamp.format(t) + " UTC";
  }
  const fmtInt = new Intl.NumberFormat("en");
  function num(n) {
    return typeof n === "number" && isFinite(n) ? fmtInt.format(n) : String(n);
  }
  function formatCount(c, noun) {
    if (!c || typeof c.value !== "number") return null;
    let s;
    if (c.qualifier === "range" && c.low !== c.high) s = num(c.low) + "–" + num(c.high);
    else s = (QUALIFIER_PREFIX[c.qualifier] || "") + num(c.value);
    s += " " + noun;
    if (c.qualifier !== "range" && typeof c.low === "number" && typeof c.high === "number" && c.low !== c.high) {
      s += " (" + num(c.low) + "–" + num(c.high) + ")";
    }
    return s;
  }
  function headlineCounts(inc) {
    const counts = inc.counts || {};
    const out = [];
    for (const [key, noun] of COUNT_KINDS) {
      const s = formatCount(counts[key], noun);
      if (s) out.push(s);
    }
    return out;
  }
  function placeText(place) {
    if (!place || !place.name) return null;
    const parts = [];
    const seen = new Set();
    for (const p of [place.name, place.admin1, countryName(place.country_code)]) {
      if (!p) continue;
      const k = String(p).toLowerCase();
      if (seen.has(k)) continue;
      seen.add(k);
      parts.push(String(p));
    }
    return parts.join(", ");
  }
  function hasCoords(inc) {
    const p = inc.place;
    return !!p && typeof p.lat === "number" && typeof p.lon === "number" && isFinite(p.lat) && isFinite(p.lon);
  }
  function safeHref(url) {
    if (!url) return null;
    try {
      const u = new URL(String(url), document.baseURI);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (_) {
      return null;
    }
  }
  function sourcesText(n) {
    return plural(n, "source", "sources");
  }
  function markerRadius(sources) {
    const n = Math.max(1, Number(sources) || 1);
    return Math.min(34, 3.5 + 3 * Math.sqrt(n));
  }

  // ---------------------------------------------------------------- incident store
  function validIncident(x) {
    return x && typeof x === "object" && typeof x.incident_id === "string" && x.incident_id.length > 0;
  }
  /** from: "snapshot" keeps a newer state already had from the stream; "stream" always replaces. */
  function upsert(data, from) {
    if (!validIncident(data)) return;
    const id = data.incident_id;
    const had = incidents.get(id);
    if (had) {
      if (from === "snapshot" && parseTime(had.data.last_seen) > parseTime(data.last_seen)) return;
      had.data = data;
      if (from === "stream") had.fresh = Date.now();
    } else {
      incidents.set(id, { data: data, li: null, marker: null, fresh: from === "stream" ? Date.now() : 0 });
    }
    dirty.add(id);
  }
  function sortedIds() {
    const arr = Array.from(incidents.values());
    arr.sort((a, b) => {
      const d = (parseTime(b.data.last_seen) || 0) - (parseTime(a.data.last_seen) || 0);
      return d !== 0 ? d : (a.data.incident_id < b.data.incident_id ? -1 : 1);
    });
    return arr.map((x) => x.data.incident_id);
  }
  function trim(ids) {
    // keep the newest MAX_INCIDENTS, as the server does
    while (ids.length > MAX_INCIDENTS) {
      const id = ids.pop();
      const rec = incidents.get(id);
      if (rec) {
        if (rec.li) rec.li.remove();
        if (rec.marker) rec.marker.remove();
      }
      incidents.delete(id);
      expanded.delete(id);
    }
  }
  function scheduleFlush(delay) {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flush();
    }, delay === undefined ? 60 : delay);
  }

  // ---------------------------------------------------------------- list
  const listEl = $("incidents");

  function buildEntry(inc) {
    const id = inc.incident_id;
    const group = groupOf(inc);
    const li = el("li", "incident");
    li.setAttribute("data-incident-id", id);
    li.setAttribute("data-group", group.id);
    li.setAttribute("data-event-type", String(inc.event_type || ""));
    li.style.setProperty("--type-color", group.color);

    const btn = el("button", "summary");
    btn.type = "button";
    btn.setAttribute("aria-expanded", expanded.has(id) ? "true" : "false");

    const l1 = el("span", "line line-type");
    const chip = el("span", "chip");
    chip.setAttribute("aria-hidden", "true");
    l1.append(chip);
    l1.append(el("span", "type", titleCase(inc.event_type || "unknown")));
    if (inc.sub_event_type) l1.append(el("span", "subtype", "· " + inc.sub_event_type));
    const n = Number(inc.sources) || 0;
    const src = el("span", "sources", sourcesText(n));
    src.setAttribute("data-sources", String(n));
    l1.append(src);
    btn.append(l1);

    const l2 = el("span", "line line-place");
    const ptext = placeText(inc.place);
    if (ptext) l2.append(el("span", "place", ptext));
    if (inc.place && inc.place.precision && inc.place.precision !== "city" && hasCoords(inc)) {
      const level = { country: "country-level", admin2: "county-level", world_region: "continent-level" }[inc.place.precision] || "region-level";
      l2.append(el("span", "precision", level));
    }
    if (!hasCoords(inc)) l2.append(el("span", "noplace", ptext ? "not on map" : "no place"));
    btn.append(l2);

    const l3 = el("span", "line line-facts");
    const dtext = formatIncidentDate(inc.date);
    l3.append(el("span", "date", dtext || "date unknown"));
    const counts = headlineCounts(inc);
    if (counts.length) {
      l3.append(document.createTextNode(" · "));
      l3.append(el("span", "counts", counts.join(" · ")));
    }
    btn.append(l3);

    const l4 = el("span", "line line-meta");
    const upd = el("span", "updated", "updated " + relative(inc.last_seen));
    upd.setAttribute("data-ts", String(inc.last_seen || ""));
    upd.title = "last report joined " + formatStamp(inc.last_seen) + "; first seen " + formatStamp(inc.first_seen);
    l4.append(upd);
    const nrep = Array.isArray(inc.reports) ? inc.reports.length : 0;
    l4.append(el("span", "nreports", plural(nrep, "report", "reports")));
    if (typeof inc.confidence === "number") {
      l4.append(el("span", "confidence", "confidence " + Math.round(inc.confidence * 100) + "%"));
    }
    btn.append(l4);

    btn.addEventListener("click", () => {
      toggleExpanded(id);
      select(id, { pan: true, scroll: false });
    });
    li.addEventListener("mouseenter", () => setHover(id, "list"));
    li.addEventListener("mouseleave", () => setHover(null, "list"));
    li.addEventListener("focusin", () => setHover(id, "list"));
    li.addEventListener("focusout", () => setHover(null, "list"));

    li.append(btn);
    if (expanded.has(id)) li.append(buildDetails(inc));
    if (expanded.has(id)) li.classList.add("expanded");
    if (id === selectedId) li.classList.add("selected");
    if (id === hoverId) li.classList.add("hl");
    return li;
  }

  function buildDetails(inc) {
    const box = el("div", "details");
    const reports = Array.isArray(inc.reports) ? inc.reports.slice() : [];

    // Facts first: where exactly, when exactly, who, and where each figure came from.
    const facts = el("dl", "facts");
    const addFact = (term, value) => {
      if (!value) return;
      facts.append(el("dt", null, term));
      facts.append(el("dd", null, value));
    };
    const p = inc.place;
    if (p && p.name) {
      let s = placeText(p) || p.name;
      if (hasCoords(inc)) s += " (" + p.lat.toFixed(2) + ", " + p.lon.toFixed(2) + ")";
      if (typeof p.spread_km === "number" && p.spread_km > 0) s += "; reports within " + Math.round(p.spread_km) + " km";
      if (typeof p.reports === "number") s += "; named by " + plural(p.reports, "report", "reports");
      addFact("Place", s);
    }
    const d = inc.date;
    if (d) {
      let s = formatIncidentDate(d) || "";
      if (d.earliest && d.latest && d.earliest !== d.latest) {
        s += " (window " + fmtDay.format(parseDay(d.earliest)) + " – " + fmtDay.format(parseDay(d.latest)) + ")";
      }
      addFact("Date", s);
    }
    if (Array.isArray(inc.participants) && inc.participants.length) {
      addFact("Actors", inc.participants.map((a) => {
        const extra = [a.kind && a.kind !== "unknown" ? titleCase(a.kind) : null, a.country || null].filter(Boolean);
        return String(a.name || "unnamed") + (extra.length ? " (" + extra.join(", ") + ")" : "");
      }).join("; "));
    }
    const counts = inc.counts || {};
    for (const [key, noun] of COUNT_KINDS) {
      const c = counts[key];
      const head = formatCount(c, noun);
      if (!head) continue;
      let s = head;
      const rule = RULE_TEXT[c.rule] || c.rule;
      if (rule) s += ": " + rule;
      if (typeof c.reports === "number" && c.rule !== "single_report") {
        s += " (" + plural(c.reports, "report gives", "reports give") + " a figure)";
      }
      if (c.phrase) s += ": “" + c.phrase + "”";
      addFact(titleCase(noun), s);
    }
    addFact("First seen", formatStamp(inc.first_seen));

    addFact("Last report", formatStamp(inc.last_seen));
    if (facts.childNodes.length) box.append(facts);

    // Syndication summary
    const copies = reports.filter((r) => r && r.duplicate_of);
    const n = Number(inc.sources) || 0;
    let synd = plural(reports.length, "report", "reports") + " from " + plural(n, "independent source", "independent sources");
    if (copies.length) synd += "; " + plural(copies.length, "syndicated copy", "syndicated copies") + " counted once with the original";
    box.append(el("p", "syndication", synd + "."));

    // The reports themselves, in publication order: the evidence chain.
    reports.sort((a, b) => {
      const ta = parseTime(a && a.published_at), tb = parseTime(b && b.published_at);
      if (Number.isNaN(ta) && Number.isNaN(tb)) return 0;
      if (Number.isNaN(ta)) return 1;
      if (Number.isNaN(tb)) return -1;
      return ta - tb;
    });
    const byArticle = new Map();
    const byEvent = new Map();
    for (const r of reports) {
      if (!r) continue;
      if (r.article_id) byArticle.set(r.article_id, r);
      if (r.event_id) byEvent.set(r.event_id, r);
    }
    const ol = el("ol", "reports");
    for (const r of reports) {
      if (!r) continue;
      const item = el("li", "report");
      if (r.duplicate_of) item.classList.add("syndicated");
      if (r.article_id) item.setAttribute("data-article-id", String(r.article_id));
      const q = el("blockquote", "evidence", r.evidence || "(no evidence sentence)");
      item.append(q);
      const meta = el("p", "report-meta");
      meta.append(el("span", "outlet", r.source || "unknown outlet"));
      const t = el("time", "published", r.published_at ? formatStamp(r.published_at) : "publication time unknown");
      if (r.published_at) t.setAttribute("datetime", String(r.published_at));
      meta.append(t);
      const href = safeHref(r.source_url);
      if (href) {
        const a = el("a", "article-link", "open article ↗");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.title = String(r.source_url);
        meta.append(a);
      } else {
        meta.append(el("span", "no-link", "no link"));
      }
      item.append(meta);
      if (r.duplicate_of) {
        const orig = byArticle.get(r.duplicate_of) || byEvent.get(r.duplicate_of);
        let note = "Syndicated copy";
        note += orig && orig !== r && orig.source ? " of " + orig.source + "’s report" : " of an earlier report";
        note += ": counted once, not as an independent source.";
        item.append(el("p", "syndicated-note", note));
      }
      ol.append(item);
    }
    box.append(ol);

    const foot = el("p", "detail-foot");
    const idText = el("span", "ref-id", "incident " + String(inc.incident_id).slice(0, 12) + "…");
    idText.title = String(inc.incident_id);
    const permalink = el("a", "permalink", "link to this incident");
    permalink.href = "#incident=" + encodeURIComponent(inc.incident_id);
    foot.append(idText, permalink);
    box.append(foot);
    return box;
  }

  function toggleExpanded(id) {
    if (expanded.has(id)) expanded.delete(id);
    else expanded.add(id);
    const rec = incidents.get(id);
    if (!rec || !rec.li) return;
    const btn = rec.li.querySelector(".summary");
    const open = expanded.has(id);
    if (btn) btn.setAttribute("aria-expanded", open ? "true" : "false");
    rec.li.classList.toggle("expanded", open);
    const old = rec.li.querySelector(".details");
    if (old) old.remove();
    if (open) rec.li.append(buildDetails(rec.data));
  }

  // ---------------------------------------------------------------- filters
  function haystack(inc) {
    const parts = [inc.event_type, inc.sub_event_type, groupOf(inc).label];
    if (inc.place) parts.push(inc.place.name, inc.place.admin1, inc.place.country_code, countryName(inc.place.country_code));
    if (Array.isArray(inc.participants)) for (const a of inc.participants) parts.push(a && a.name);
    if (Array.isArray(inc.reports)) for (const r of inc.reports) if (r) parts.push(r.source, r.evidence);
    return parts.filter(Boolean).join(" \u0001 ").toLowerCase();
  }
  function visible(inc) {
    if (hiddenGroups.has(groupOf(inc).id)) return false;
    if (textFilter && haystack(inc).indexOf(textFilter) < 0) return false;
    return true;
  }

  // ---------------------------------------------------------------- flush: data -> DOM
  function flush() {
    const ids = sortedIds();
    trim(ids);
    // (re)build changed entries and markers
    for (const id of dirty) {
      const rec = incidents.get(id);
      if (!rec) continue;
      const li = buildEntry(rec.data);
      const hadFocus = rec.li && rec.li.contains(document.activeElement);
      if (rec.li) rec.li.replaceWith(li);
      rec.li = li;
      if (hadFocus) {
        const b = li.querySelector(".summary");
        if (b) b.focus({ preventScroll: true });
      }
      updateMarker(rec);
    }
    dirty = new Set();
    // order the list, newest first, moving only what is out of place
    let prev = null;
    for (const id of ids) {
      const rec = incidents.get(id);
      if (!rec || !rec.li) continue;
      const want = prev ? prev.nextSibling : listEl.firstChild;
      if (want !== rec.li) listEl.insertBefore(rec.li, want);
      prev = rec.li;
    }
    applyFilters();
    orderMarkers();
    markFresh();
  }

  function applyFilters() {
    let shown = 0;
    let onMap = 0;
    let noPlace = 0;
    for (const rec of incidents.values()) {
      const vis = visible(rec.data);
      if (rec.li) rec.li.hidden = !vis;
      if (rec.marker) rec.marker.style.display = vis ? "" : "none";
      if (vis) {
        shown += 1;
        if (hasCoords(rec.data)) onMap += 1;
        else noPlace += 1;
      }
    }
    const total = incidents.size;
    let s = (shown === total ? plural(total, "incident", "incidents") : shown + " of " + plural(total, "incident", "incidents")) + " shown";
    s += " · " + onMap + " on the map · " + noPlace + " without a place";
    $("summary").textContent = s;
    $("summary").setAttribute("data-shown", String(shown));
    $("summary").setAttribute("data-total", String(total));
    const empty = $("list-empty");
    if (total === 0) {
      empty.textContent = loaded ? "No incidents yet. New ones appear here as they arrive." : "Loading incidents…";
      empty.hidden = false;
    } else if (shown === 0) {
      empty.textContent = "No incidents match the filter.";
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }
    updateLegendCounts();
  }

  function markFresh() {
    const now = Date.now();
    for (const rec of incidents.values()) {
      const fresh = rec.fresh && now - rec.fresh < FRESH_MS;
      if (rec.li) rec.li.classList.toggle("fresh", !!fresh);
      if (rec.marker) rec.marker.classList.toggle("fresh", !!fresh);
    }
  }

  // ---------------------------------------------------------------- hover / select
  function setHover(id, from) {
    if (hoverId === id) return;
    const old = hoverId !== null ? incidents.get(hoverId) : null;
    if (old) {
      if (old.li) old.li.classList.remove("hl");
      if (old.marker) old.marker.classList.remove("hl");
    }
    hoverId = id;
    const rec = id !== null ? incidents.get(id) : null;
    if (rec) {
      if (rec.li) rec.li.classList.add("hl");
      if (rec.marker) {
        rec.marker.classList.add("hl");
        rec.marker.parentNode.appendChild(rec.marker); // on top while highlighted
      }
    }
    if (from === "list" && id === null) orderMarkers();
  }
  function select(id, opts) {
    const prev = selectedId !== null ? incidents.get(selectedId) : null;
    if (prev) {
      if (prev.li) prev.li.classList.remove("selected");
      if (prev.marker) prev.marker.classList.remove("selected");
    }
    selectedId = id;
    if (!(opts && opts.fromHash)) setHashParam("incident", id);
    const rec = id !== null ? incidents.get(id) : null;
    if (!rec) return;
    if (rec.li) {
      rec.li.classList.add("selected");
      if (opts && opts.scroll) rec.li.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
    if (rec.marker) rec.marker.classList.add("selected");
    if (opts && opts.pan && rec.marker && map) map.ensureVisible(rec.data);
  }

  // ---------------------------------------------------------------- map
  const svg = $("map");
  const tooltip = $("tooltip");
  let map = null; // set once the world is drawn
  const markerLayer = svgEl("g", { class: "layer-markers" });

  function updateMarker(rec) {
    const inc = rec.data;
    if (!hasCoords(inc)) {
      if (rec.marker) {
        rec.marker.remove();
        rec.marker = null;
      }
      return;
    }
    let m = rec.marker;
    if (!m) {
      m = svgEl("circle", { class: "marker" });
      m.setAttribute("data-incident-id", inc.incident_id);
      m.addEventListener("mouseenter", (ev) => {
        setHover(inc.incident_id, "map");
        showTooltip(inc.incident_id, ev);
      });
      m.addEventListener("mousemove", (ev) => moveTooltip(ev));
      m.addEventListener("mouseleave", () => {
        setHover(null, "map");
        hideTooltip();
      });
      m.addEventListener("click", (ev) => {
        if (map && map.wasDrag()) return;
        ev.stopPropagation();
        const id = inc.incident_id;
        if (!expanded.has(id)) toggleExpanded(id);
        select(id, { scroll: true });
      });
      rec.marker = m;
      markerLayer.append(m);
    }
    const g = groupOf(inc);
    m.setAttribute("data-sources", String(Number(inc.sources) || 0));
    m.setAttribute("data-group", g.id);
    m.setAttribute("data-event-type", String(inc.event_type || ""));
    m.style.setProperty("--type-color", g.color);
    m.setAttribute("fill", g.color);
    m.classList.toggle("imprecise", !!(inc.place && inc.place.precision && inc.place.precision !== "city"));
    m.classList.toggle("hl", inc.incident_id === hoverId);
    m.classList.toggle("selected", inc.incident_id === selectedId);
    if (map) map.placeMarker(m, inc);
  }
  function orderMarkers() {
    // biggest first so small circles stay clickable on top of big ones; then the highlighted one on top
    const recs = Array.from(incidents.values()).filter((r) => r.marker);
    recs.sort((a, b) => (Number(b.data.sources) || 0) - (Number(a.data.sources) || 0)
      || (parseTime(a.data.last_seen) || 0) - (parseTime(b.data.last_seen) || 0));
    for (const r of recs) markerLayer.appendChild(r.marker);
    const h = hoverId !== null ? incidents.get(hoverId) : null;
    if (h && h.marker) markerLayer.appendChild(h.marker);
  }

  function showTooltip(id, ev) {
    const rec = incidents.get(id);
    if (!rec) return;
    const inc = rec.data;
    tooltip.replaceChildren();
    const head = el("div", "tt-head");
    const chip = el("span", "chip");
    chip.style.setProperty("--type-color", groupOf(inc).color);
    head.append(chip, el("strong", null, titleCase(inc.event_type) + (inc.sub_event_type ? " · " + inc.sub_event_type : "")));
    tooltip.append(head);
    const pt = placeText(inc.place);
    if (pt) tooltip.append(el("div", "tt-place", pt));
    const facts = [formatIncidentDate(inc.date)].concat(headlineCounts(inc)).filter(Boolean);
    if (facts.length) tooltip.append(el("div", "tt-facts", facts.join(" · ")));
    tooltip.append(el("div", "tt-sources", sourcesText(Number(inc.sources) || 0) + " · updated " + relative(inc.last_seen)));
    tooltip.hidden = false;
    moveTooltip(ev);
  }
  function moveTooltip(ev) {
    const pane = svg.parentNode.getBoundingClientRect();
    let x = ev.clientX - pane.left + 14;
    let y = ev.clientY - pane.top + 14;
    const w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > pane.width - 8) x = ev.clientX - pane.left - w - 14;
    if (y + h > pane.height - 8) y = ev.clientY - pane.top - h - 14;
    tooltip.style.transform = "translate(" + Math.max(4, x) + "px," + Math.max(4, y) + "px)";
  }
  function hideTooltip() {
    tooltip.hidden = true;
  }

  function mapMessage(text) {
    const m = $("map-message");
    m.textContent = text;
    m.hidden = !text;
  }

  function createMap(world) {
    const d3 = window.d3;
    const topojson = window.topojson;
    const countries = topojson.feature(world, world.objects.countries);
    // Antarctica takes a fifth of the height and has no news: fit the projection to the rest.
    const fitTo = { type: "FeatureCollection",
      features: countries.features.filter((f) => f.id !== "010" && (f.properties || {}).name !== "Antarctica") };
    const projection = d3.geoNaturalEarth1();
    const path = d3.geoPath(projection);
    const graticule = d3.geoGraticule10();

    svg.replaceChildren();
    const defs = svgEl("defs");
    const clip = svgEl("clipPath", { id: "sphere-clip" });
    const clipPath = svgEl("path");
    clip.append(clipPath);
    defs.append(clip);
    svg.append(defs);
    const zoomG = svgEl("g", { class: "zoom" });
    const sphere = svgEl("path", { class: "sphere" });
    const grat = svgEl("path", { class: "graticule" });
    const landG = svgEl("g", { class: "countries" });
    const borders = svgEl("path", { class: "borders" });
    const coast = svgEl("path", { class: "coast" });
    const labelG = svgEl("g", { class: "labels", "aria-hidden": "true" });
    zoomG.append(sphere, grat, landG, borders, coast, labelG, markerLayer);
    svg.append(zoomG);

    let width = 0, height = 0;
    let view = { k: 1, x: 0, y: 0 };
    let topo = world;
    let detailState = "none"; // none | loading | loaded | failed

    function drawGeography() {
      const feats = topojson.feature(topo, topo.objects.countries).features;
      landG.replaceChildren();
      for (const f of feats) {
        const p = svgEl("path", { class: "country", d: path(f) || "" });
        const name = (f.properties && f.properties.name) || "";
        if (name) {
          p.setAttribute("data-name", name);
          const t = svgEl("title");
          t.textContent = name;
          p.append(t);
        }
        landG.append(p);
      }
      borders.setAttribute("d", path(topojson.mesh(topo, topo.objects.countries, (a, b) => a !== b)) || "");
      coast.setAttribute("d", path(topojson.mesh(topo, topo.objects.countries, (a, b) => a === b)) || "");
    }
    // Country names, at the middle of each country's largest piece; shown once zoomed in far enough
    // for the country to hold its name.
    function drawLabels() {
      labelG.replaceChildren();
      for (const f of countries.features) {
        const name = f.properties && f.properties.name;
        if (!name || !f.geometry) continue;
        let best = f;
        if (f.geometry.type === "MultiPolygon") {
          let bestArea = -1;
          for (const coords of f.geometry.coordinates) {
            const piece = { type: "Polygon", coordinates: coords };
            const a = path.area(piece);
            if (a > bestArea) { bestArea = a; best = piece; }
          }
        }
        const c = path.centroid(best);
        const area = path.area(best);
        if (!isFinite(c[0]) || !isFinite(c[1]) || !(area > 0)) continue;
        const t = svgEl("text", { class: "country-label", x: c[0].toFixed(1), y: c[1].toFixed(1), "text-anchor": "middle" });
        t.setAttribute("data-area", String(area));
        t.textContent = name;
        labelG.append(t);
      }
      updateLabels();
    }
    function updateLabels() {
      const k = view.k;
      labelG.style.display = k < 1.8 ? "none" : "";
      if (k < 1.8) return;
      const size = 11 / k;
      labelG.setAttribute("font-size", size.toFixed(3));
      labelG.setAttribute("stroke-width", (3 / k).toFixed(3));
      for (const t of labelG.childNodes) {
        const area = Number(t.getAttribute("data-area")) * k * k; // on screen, px²
        const chars = (t.textContent || "").length;
        t.style.display = area > Math.max(1200, chars * chars * 28) ? "" : "none";
      }
    }
    function resize() {
      const r = svg.getBoundingClientRect();
      const w = Math.max(200, Math.round(r.width));
      const h = Math.max(150, Math.round(r.height));
      if (w === width && h === height) return;
      width = w;
      height = h;
      svg.setAttribute("viewBox", "0 0 " + w + " " + h);
      projection.fitExtent([[12, 12], [w - 12, h - 12]], fitTo);
      // Wider than tall: the map spans the width; put it at the top and leave the room below it to the
      // legend rather than centring it and covering South America.
      const top = path.bounds({ type: "Sphere" })[0][1];
      const room = h - 12 - path.bounds(fitTo)[1][1];
      if (room > 24 && top > 8) {
        const t = projection.translate();
        projection.translate([t[0], t[1] - Math.min(room, top - 8)]);
      }
      const sd = path({ type: "Sphere" }) || "";
      sphere.setAttribute("d", sd);
      clipPath.setAttribute("d", sd);
      grat.setAttribute("d", path(graticule) || "");
      drawGeography();
      drawLabels();
      for (const rec of incidents.values()) if (rec.marker) placeMarker(rec.marker, rec.data);
      setView(view.k, view.x, view.y);
    }
    function placeMarker(m, inc) {
      const xy = projection([inc.place.lon, inc.place.lat]);
      if (!xy || !isFinite(xy[0]) || !isFinite(xy[1])) {
        m.style.visibility = "hidden";
        return;
      }
      m.style.visibility = "";
      m.setAttribute("cx", xy[0].toFixed(2));
      m.setAttribute("cy", xy[1].toFixed(2));
      const r0 = markerRadius(inc.sources);
      m.setAttribute("data-r", String(r0));
      m.setAttribute("r", (r0 / view.k).toFixed(3));
    }
    function clampView(k, x, y) {
      k = Math.min(MAX_ZOOM, Math.max(1, k));
      // keep the map in the window: the content spans [0,width] x [0,height] at k = 1
      const minX = width - width * k, minY = height - height * k;
      x = Math.min(0, Math.max(minX, x));
      y = Math.min(0, Math.max(minY, y));
      return { k: k, x: x, y: y };
    }
    function setView(k, x, y) {
      view = clampView(k, x, y);
      zoomG.setAttribute("transform", "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(4) + ")");
      for (const rec of incidents.values()) {
        if (!rec.marker) continue;
        const r0 = Number(rec.marker.getAttribute("data-r")) || markerRadius(rec.data.sources);
        rec.marker.setAttribute("r", (r0 / view.k).toFixed(3));
      }
      svg.setAttribute("data-zoom", view.k.toFixed(2));
      svg.classList.toggle("zoomed", view.k > 1.01);
      if (view.k >= DETAIL_ZOOM) loadDetail();
      updateLabels();
      rememberView();
    }
    let hashTimer = null;
    function rememberView() {
      if (!width) return;
      clearTimeout(hashTimer);
      hashTimer = setTimeout(() => {
        const c = projection.invert([(width / 2 - view.x) / view.k, (height / 2 - view.y) / view.k]);
        setHashParam("view", view.k <= 1.001 || !c
          ? null : c[0].toFixed(2) + "," + c[1].toFixed(2) + "," + view.k.toFixed(2));
      }, 300);
    }
    function viewFromHash() {
      const m = /^(-?[\d.]+),(-?[\d.]+),([\d.]+)$/.exec(hashParams().get("view") || "");
      if (m) {
        const xy = projection([+m[1], +m[2]]);
        const k = +m[3];
        if (xy && isFinite(k)) setView(k, width / 2 - xy[0] * k, height / 2 - xy[1] * k);
      }
    }
    function loadDetail() {
      if (detailState !== "none") return;
      detailState = "loading";
      fetch(WORLD_DETAIL_URL)
        .then((r) => {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then((w) => {
          topo = w;
          detailState = "loaded";
          drawGeography();
        })
        .catch(() => {
          detailState = "failed";
        });
    }
    function zoomAt(factor, cx, cy) {
      const k = Math.min(MAX_ZOOM, Math.max(1, view.k * factor));
      const f = k / view.k;
      setView(k, cx - (cx - view.x) * f, cy - (cy - view.y) * f);
    }
    function toSvgPoint(ev) {
      const r = svg.getBoundingClientRect();
      return [(ev.clientX - r.left) * (width / r.width), (ev.clientY - r.top) * (height / r.height)];
    }
    function fitBounds(x0, y0, x1, y1, maxK) {
      const pad = 60;
      const bw = Math.max(1, x1 - x0), bh = Math.max(1, y1 - y0);
      let k = Math.min((width - 2 * pad) / bw, (height - 2 * pad) / bh);
      k = Math.min(maxK || 12, Math.max(1, k));
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
      setView(k, width / 2 - cx * k, height / 2 - cy * k);
    }
    function fitIncidents() {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const rec of incidents.values()) {
        if (!rec.marker || rec.marker.style.display === "none" || !hasCoords(rec.data)) continue;
        const xy = projection([rec.data.place.lon, rec.data.place.lat]);
        if (!xy) continue;
        x0 = Math.min(x0, xy[0]); y0 = Math.min(y0, xy[1]);
        x1 = Math.max(x1, xy[0]); y1 = Math.max(y1, xy[1]);
      }
      if (x0 === Infinity) return setView(1, 0, 0);
      // a single place: show its surroundings, not a street-level blow-up
      if (x1 - x0 < 20 && y1 - y0 < 20) { x0 -= 60; x1 += 60; y0 -= 45; y1 += 45; }
      fitBounds(x0, y0, x1, y1, 12);
    }
    function ensureVisible(inc) {
      if (!hasCoords(inc)) return;
      const xy = projection([inc.place.lon, inc.place.lat]);
      if (!xy) return;
      const sx = xy[0] * view.k + view.x, sy = xy[1] * view.k + view.y;
      const m = 40;
      if (sx < m || sx > width - m || sy < m || sy > height - m) {
        setView(view.k, width / 2 - xy[0] * view.k, height / 2 - xy[1] * view.k);
      }
    }

    // pointer: drag to pan, wheel / double-click / buttons to zoom
    let drag = null;
    let dragged = false;
    svg.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const [cx, cy] = toSvgPoint(ev);
      const dy = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
      zoomAt(Math.exp(-dy * 0.0025), cx, cy);
    }, { passive: false });
    svg.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0) return;
      const [px, py] = toSvgPoint(ev);
      drag = { px: px, py: py, x: view.x, y: view.y, id: ev.pointerId, moved: false };
      dragged = false;
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const [px, py] = toSvgPoint(ev);
      const dx = px - drag.px, dy = py - drag.py;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        try { svg.setPointerCapture(ev.pointerId); } catch (_) { /* ignore */ }
        svg.classList.add("dragging");
        hideTooltip();
      }
      setView(view.k, drag.x + dx, drag.y + dy);
    });
    const endDrag = (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      dragged = drag.moved;
      drag = null;
      svg.classList.remove("dragging");
    };
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("dblclick", (ev) => {
      ev.preventDefault();
      const [cx, cy] = toSvgPoint(ev);
      zoomAt(ev.shiftKey ? 0.5 : 2, cx, cy);
    });
    $("zoom-in").addEventListener("click", () => zoomAt(2, width / 2, height / 2));
    $("zoom-out").addEventListener("click", () => zoomAt(0.5, width / 2, height / 2));
    $("zoom-world").addEventListener("click", () => setView(1, 0, 0));
    $("zoom-fit").addEventListener("click", fitIncidents);

    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resize, 120);
    });
    resize();
    viewFromHash();

    return {
      placeMarker: placeMarker,
      ensureVisible: ensureVisible,
      fitIncidents: fitIncidents,
      viewFromHash: viewFromHash,
      wasDrag: () => {
        const d = dragged;
        dragged = false;
        return d;
      },
    };
  }

  // ---------------------------------------------------------------- legend
  const legendCounts = new Map();
  function buildLegend() {
    const box = $("legend");
    box.replaceChildren();
    const legend = el("details", "legend-box");
    // open unless the screen is small, where it would cover much of the map
    legend.open = !(window.matchMedia && window.matchMedia("(max-width: 900px), (max-height: 620px)").matches);
    const sum = el("summary", "legend-summary", "Legend");
    legend.append(sum);
    box.append(legend);
    legend.append(el("h2", "legend-title", "Type"));
    const ul = el("ul", "legend-groups");
    for (const g of GROUPS.concat([OTHER_GROUP])) {
      const li = el("li");
      if (g === OTHER_GROUP) li.hidden = true;
      const b = el("button", "legend-item");
      b.type = "button";
      b.setAttribute("aria-pressed", "true");
      b.setAttribute("data-group", g.id);
      b.title = g.types.length ? g.types.map(titleCase).join(", ") + " (click to hide or show)" : "click to hide or show";
      const sw = el("span", "swatch");
      sw.style.setProperty("--type-color", g.color);
      sw.setAttribute("aria-hidden", "true");
      const count = el("span", "legend-count", "0");
      legendCounts.set(g.id, { count: count, li: li });
      b.append(sw, el("span", "legend-label", g.label), count);
      b.addEventListener("click", () => {
        if (hiddenGroups.has(g.id)) hiddenGroups.delete(g.id);
        else hiddenGroups.add(g.id);
        b.setAttribute("aria-pressed", hiddenGroups.has(g.id) ? "false" : "true");
        applyFilters();
      });
      li.append(b);
      ul.append(li);
    }
    legend.append(ul);

    legend.append(el("h2", "legend-title", "Independent sources"));
    const steps = [1, 5, 20, 50];
    const base = 2 * markerRadius(steps[steps.length - 1]) + 16;
    const sizes = svgEl("svg", { class: "legend-sizes", width: 200, height: base + 2, "aria-hidden": "true" });
    let x = 4;
    for (const n of steps) {
      const r = markerRadius(n);
      x += r;
      sizes.append(svgEl("circle", { cx: x, cy: base - r, r: r, class: "legend-size" }));
      const t = svgEl("text", { x: x, y: base - 2 * r - 4, "text-anchor": "middle", class: "legend-size-label" });
      t.textContent = String(n);
      sizes.append(t);
      x += r + 14;
    }
    legend.append(sizes);
    const note = el("p", "legend-note", "Dashed rim: region- or country-level place.");
    legend.append(note);
  }
  function updateLegendCounts() {
    const counts = new Map();
    for (const rec of incidents.values()) {
      const g = groupOf(rec.data).id;
      counts.set(g, (counts.get(g) || 0) + 1);
    }
    for (const [gid, ent] of legendCounts) {
      const n = counts.get(gid) || 0;
      ent.count.textContent = String(n);
      if (gid === OTHER_GROUP.id) ent.li.hidden = n === 0;
    }
  }

  // ---------------------------------------------------------------- data: snapshot + stream
  let loaded = false;
  function setStatus(state, text) {
    const s = $("status");
    s.setAttribute("data-state", state);
    s.querySelector(".status-label").textContent = text;
  }
  let lastMessageAt = 0;
  function statusLive() {
    const when = lastMessageAt ? " · last update " + fmtClock.format(lastMessageAt) + " UTC" : "";
    setStatus("live", "live" + when);
  }

  let snapshotTimer = null;
  function loadSnapshot() {
    clearTimeout(snapshotTimer);
    return fetch(INCIDENTS_URL, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then((arr) => {
        if (!Array.isArray(arr)) throw new Error("not a list");
        for (const inc of arr) upsert(inc, "snapshot");
        loaded = true;
        flush();
      })
      .catch((err) => {
        loaded = true;
        flush();
        const s = $("summary");
        s.textContent = "Could not load incidents (" + (err && err.message ? err.message : "error") + "); retrying…";
        snapshotTimer = setTimeout(loadSnapshot, 5000);
      });
  }

  let source = null;
  let retryMs = 2000;
  let needResync = false;
  function connect() {
    if (typeof EventSource === "undefined") {
      setStatus("offline", "live updates unsupported");
      return;
    }
    setStatus(needResync ? "reconnecting" : "connecting", needResync ? "reconnecting…" : "connecting…");
    source = new EventSource(STREAM_URL);
    source.addEventListener("open", () => {
      retryMs = 2000;
      statusLive();
      if (needResync) {
        needResync = false;
        loadSnapshot(); // catch up on what changed while we were away
      }
    });
    source.addEventListener("incident", (ev) => {
      let data = null;
      try {
        data = JSON.parse(ev.data);
      } catch (_) {
        return;
      }
      lastMessageAt = Date.now();
      statusLive();
      upsert(data, "stream");
      scheduleFlush();
    });
    source.addEventListener("error", () => {
      needResync = true;
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (e.g. an HTTP error): retry ourselves, backing off
        setStatus("reconnecting", "disconnected, retrying in " + Math.round(retryMs / 1000) + " s…");
        source.close();
        setTimeout(connect, retryMs);
        retryMs = Math.min(60000, retryMs * 2);
      } else {
        setStatus("reconnecting", "reconnecting…");
      }
    });
  }

  /** #incident=<id>: open that incident's entry (once it is loaded) and show it on the map. */
  function openFromHash() {
    const id = hashParams().get("incident");
    if (!id || !incidents.has(id)) return;
    const rec = incidents.get(id);
    if (!expanded.has(id)) toggleExpanded(id);
    select(id, { scroll: true, pan: true, fromHash: true });
    if (rec && rec.li) rec.li.scrollIntoView({ block: "start" });
  }

  // ---------------------------------------------------------------- start
  function start() {
    buildLegend();
    const ft = $("filter-text");
    let ftTimer = null;
    ft.addEventListener("input", () => {
      clearTimeout(ftTimer);
      ftTimer = setTimeout(() => {
        textFilter = ft.value.trim().toLowerCase();
        applyFilters();
      }, 120);
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        select(null);
        hideTooltip();
      }
    });
    window.addEventListener("hashchange", () => {
      if (map) map.viewFromHash();
      openFromHash();
    });
    setInterval(() => {
      // refresh "updated … ago" and the fresh highlight
      for (const u of listEl.querySelectorAll(".updated[data-ts]")) {
        u.textContent = "updated " + relative(u.getAttribute("data-ts"));
      }
      markFresh();
      if (lastMessageAt && $("status").getAttribute("data-state") === "live") statusLive();
    }, 15000);
    setInterval(markFresh, 2000);

    const snapshot = loadSnapshot().then(openFromHash);
    connect();

    if (!window.d3 || !window.topojson || !window.d3.geoPath) {
      mapMessage("Map libraries did not load; the list still updates.");
      return;
    }
    fetch(WORLD_URL)
      .then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then((world) => {
        map = createMap(world);
        for (const rec of incidents.values()) updateMarker(rec);
        orderMarkers();
        applyFilters();
        // #fit: start zoomed to the incidents of the first load
        if (hashParams().has("fit")) snapshot.then(() => map.fitIncidents());
        snapshot.then(openFromHash);
      })
      .catch((err) => {
        mapMessage("Map data did not load (" + (err && err.message ? err.message : "error") + "); the list still updates.");
        svg.append(markerLayer);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
