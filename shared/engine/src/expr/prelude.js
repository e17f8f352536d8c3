// Evaluation support loaded once into every expression sandbox: the n8n variables ($json,
// $input, $('Node'), $node, $now, …), a small Luxon-like DateTime, and the string/array
// helpers n8n adds to expressions. Nothing here can reach the host: the sandbox has no
// require, process, fetch, timers or file access.
"use strict";
(function () {
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const pad = (n, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, "0");
  const UNIT_MS = { millisecond: 1, second: 1e3, minute: 6e4, hour: 36e5, day: 864e5, week: 6048e5 };
  const unitOf = (u) => String(u).replace(/s$/, "");

  // Offset (minutes east of UTC) of an IANA zone at an instant, from the host's tz database.
  const zoneOffset = (zone, ms) => {
    if (zone === "UTC" || zone === "utc") return 0;
    const o = __zoneOffset(String(zone), ms);
    if (Number.isNaN(o)) throw new Error(`unknown time zone: ${zone}`);
    return o;
  };
  // The instant whose wall-clock time in `zone` is `localMs` (read as if UTC).
  const fromLocal = (localMs, zone) => {
    let ts = localMs - zoneOffset(zone, localMs) * 6e4;
    ts = localMs - zoneOffset(zone, ts) * 6e4;
    return new DateTime(ts, zone);
  };
  // Months move the calendar and clamp the day (Jan 31 + 1 month = Feb 28), as Luxon does.
  const addMonths = (d, n) => {
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + n);
    d.setUTCDate(Math.min(day, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()));
  };
  const CALENDAR = { year: 1, quarter: 1, month: 1, week: 1, day: 1 };
  const offsetText = (o, colon = true) => (o < 0 ? "-" : "+") + pad(Math.abs(o) / 60) + (colon ? ":" : "") + pad(Math.abs(o) % 60);

  // A subset of Luxon's DateTime, with IANA time zones: calendar units (days, months …)
  // move the wall clock, exact units (hours …) the instant, as in Luxon.
  class DateTime {
    constructor(ms, zone = "UTC") {
      if (!Number.isFinite(ms)) throw new Error("invalid date");
      this.ts = ms; this.zone = zone; this.o = zoneOffset(zone, ms); this.d = new Date(ms + this.o * 6e4);
    }
    static now() { return new DateTime(__data.nowMs, __data.timezone || "UTC"); }
    static fromMillis(ms, opts) { return new DateTime(Number(ms), opts?.zone ?? (__data.timezone || "UTC")); }
    static fromSeconds(s, opts) { return DateTime.fromMillis(Number(s) * 1000, opts); }
    // Without an offset in the text, the time is read in `opts.zone` (else the workflow's zone).
    static fromISO(s, opts) {
      const text = String(s), zone = opts?.zone ?? (__data.timezone || "UTC");
      const hasOffset = /([zZ]|[+-]\d\d(:?\d\d)?)$/.test(text) && /T/.test(text);
      const ms = Date.parse(hasOffset || !/^\d{4}-\d\d-\d\d/.test(text) ? text : (text.length === 10 ? text + "T00:00:00Z" : text + "Z"));
      if (Number.isNaN(ms)) throw new Error(`invalid ISO date: ${text}`);
      return hasOffset ? new DateTime(ms, zone) : fromLocal(ms, zone);
    }
    static fromJSDate(d, opts) { return DateTime.fromMillis(d.getTime(), opts); }
    get year() { return this.d.getUTCFullYear(); }
    get quarter() { return Math.floor(this.d.getUTCMonth() / 3) + 1; }
    get month() { return this.d.getUTCMonth() + 1; }
    get day() { return this.d.getUTCDate(); }
    get hour() { return this.d.getUTCHours(); }
    get minute() { return this.d.getUTCMinutes(); }
    get second() { return this.d.getUTCSeconds(); }
    get millisecond() { return this.d.getUTCMilliseconds(); }
    get weekday() { return this.d.getUTCDay() === 0 ? 7 : this.d.getUTCDay(); }
    get weekNumber() {
      const t = new Date(Date.UTC(this.year, this.month - 1, this.day + 4 - this.weekday));
      return Math.ceil(((t - Date.UTC(t.getUTCFullYear(), 0, 1)) / 864e5 + 1) / 7);
    }
    get zoneName() { return this.zone; }
    get offset() { return this.o; }
    get isValid() { return true; }
    setZone(zone) { return new DateTime(this.ts, zone); }
    toUTC() { return this.setZone("UTC"); }
    toMillis() { return this.ts; }
    toSeconds() { return this.ts / 1000; }
    toUnixInteger() { return Math.floor(this.ts / 1000); }
    valueOf() { return this.ts; }
    toJSDate() { return new Date(this.ts); }
    toISO() { return this.zone === "UTC" ? new Date(this.ts).toISOString() : this.d.toISOString().slice(0, 23) + offsetText(this.o); }
    toISODate() { return this.d.toISOString().slice(0, 10); }
    toString() { return this.toISO(); }
    toJSON() { return this.toISO(); }
    shift(sign, amount) {
      if (typeof amount === "number") return new DateTime(this.ts + sign * amount, this.zone);
      const local = new Date(this.d.getTime());
      let exact = 0;
      for (const [k, v] of Object.entries(amount)) {
        const u = unitOf(k), n = sign * v;
        if (u === "year" || u === "quarter" || u === "month") addMonths(local, n * (u === "year" ? 12 : u === "quarter" ? 3 : 1));
        else if (u === "week" || u === "day") local.setUTCDate(local.getUTCDate() + n * (u === "week" ? 7 : 1));
        else if (UNIT_MS[u]) exact += n * UNIT_MS[u];
        else throw new Error(`unknown unit: ${k}`);
      }
      const moved = Object.keys(amount).some((k) => CALENDAR[unitOf(k)]) ? fromLocal(local.getTime(), this.zone) : this;
      return new DateTime(moved.ts + exact, this.zone);
    }
    plus(a) { return this.shift(1, a); }
    minus(a) { return this.shift(-1, a); }
    startOf(unit) {
      const d = this.d, u = unitOf(unit);
      const month = u === "year" ? 0 : u === "quarter" ? Math.floor(d.getUTCMonth() / 3) * 3 : d.getUTCMonth();
      const parts = [d.getUTCFullYear(), month, ["year", "quarter", "month"].includes(u) ? 1 : d.getUTCDate(),
        ["hour", "minute", "second"].includes(u) ? d.getUTCHours() : 0, ["minute", "second"].includes(u) ? d.getUTCMinutes() : 0,
        u === "second" ? d.getUTCSeconds() : 0];
      let local = Date.UTC(...parts);
      if (u === "week") local -= (this.weekday - 1) * UNIT_MS.day;
      return fromLocal(local, this.zone);
    }
    endOf(unit) { return this.startOf(unit).plus({ [unitOf(unit)]: 1 }).minus(1); }
    diff(other, unit = "milliseconds") {
      const u = unitOf(unit), o = other instanceof DateTime ? other : DateTime.fromMillis(other.valueOf());
      if (u === "month" || u === "year" || u === "quarter") {
        const months = (this.year - o.year) * 12 + (this.month - o.month) + (this.d.getUTCDate() - o.d.getUTCDate()) / 31;
        return u === "month" ? months : u === "quarter" ? months / 3 : months / 12;
      }
      return (this.ts - o.ts) / (UNIT_MS[u] || 1);
    }
    toFormat(fmt) {
      const d = this;
      const tokens = {
        yyyy: () => pad(d.year, 4), yy: () => pad(d.year % 100), MMMM: () => MONTHS[d.month - 1], MMM: () => MONTHS[d.month - 1].slice(0, 3),
        LLLL: () => MONTHS[d.month - 1], LLL: () => MONTHS[d.month - 1].slice(0, 3), MM: () => pad(d.month), M: () => String(d.month),
        LL: () => pad(d.month), L: () => String(d.month), dd: () => pad(d.day), d: () => String(d.day),
        EEEE: () => DAYS[d.d.getUTCDay()], EEE: () => DAYS[d.d.getUTCDay()].slice(0, 3), HH: () => pad(d.hour), H: () => String(d.hour),
        hh: () => pad(d.hour % 12 || 12), h: () => String(d.hour % 12 || 12), mm: () => pad(d.minute), m: () => String(d.minute),
        ss: () => pad(d.second), s: () => String(d.second), SSS: () => pad(d.millisecond, 3), a: () => (d.hour < 12 ? "AM" : "PM"),
        WW: () => pad(d.weekNumber), W: () => String(d.weekNumber), q: () => String(d.quarter),
        ZZZ: () => offsetText(d.o, false), ZZ: () => offsetText(d.o), Z: () => (d.o < 0 ? "-" : "+") + Math.abs(d.o) / 60 + (d.o % 60 ? ":" + pad(Math.abs(d.o) % 60) : ""),
        z: () => d.zone, X: () => String(Math.floor(d.ts / 1000)), x: () => String(d.ts),
      };
      return fmt.replace(/'([^']*)'|yyyy|yy|MMMM|MMM|MM|M|LLLL|LLL|LL|L|dd|d|EEEE|EEE|HH|H|hh|h|mm|m|ss|s|SSS|a|WW|W|q|ZZZ|ZZ|Z|z|X|x/g,
        (t, lit) => (lit !== undefined ? lit : tokens[t]()));
    }
  }

  const define = (proto, name, fn) => Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  const words = (s) => String(s).replace(/([a-z])([A-Z])/g, "$1 $2").split(/[^A-Za-z0-9]+/).filter(Boolean);
  define(String.prototype, "isEmpty", function () { return this.length === 0; });
  define(String.prototype, "isNotEmpty", function () { return this.length > 0; });
  define(String.prototype, "toTitleCase", function () { return this.toLowerCase().replace(/(^|\s)\S/g, (c) => c.toUpperCase()); });
  define(String.prototype, "toSentenceCase", function () { const s = this.toLowerCase(); return s.charAt(0).toUpperCase() + s.slice(1); });
  define(String.prototype, "toSnakeCase", function () { return words(this).map((w) => w.toLowerCase()).join("_"); });
  define(String.prototype, "toCamelCase", function () { return words(this).map((w, i) => (i ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join(""); });
  define(String.prototype, "extractEmail", function () { const m = this.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/); return m ? m[0] : undefined; });
  define(String.prototype, "extractUrl", function () { const m = this.match(/https?:\/\/[^\s"'<>]+/); return m ? m[0] : undefined; });
  define(String.prototype, "toNumber", function () { return Number(this); });
  define(String.prototype, "toInt", function () { return parseInt(this, 10); });
  define(Array.prototype, "first", function () { return this[0]; });
  define(Array.prototype, "last", function () { return this[this.length - 1]; });
  define(Array.prototype, "isEmpty", function () { return this.length === 0; });
  define(Array.prototype, "isNotEmpty", function () { return this.length > 0; });
  define(Array.prototype, "sum", function () { return this.reduce((a, b) => a + Number(b), 0); });
  define(Array.prototype, "average", function () { return this.length ? this.sum() / this.length : 0; });
  define(Array.prototype, "max", function () { return Math.max(...this); });
  define(Array.prototype, "min", function () { return Math.min(...this); });
  define(Array.prototype, "unique", function () { const seen = new Set(); return this.filter((x) => { const k = JSON.stringify(x); return seen.has(k) ? false : seen.add(k); }); });
  define(Array.prototype, "removeDuplicates", function () { return this.unique(); });
  define(Array.prototype, "pluck", function (...keys) { return this.map((o) => (keys.length === 1 ? o?.[keys[0]] : Object.fromEntries(keys.map((k) => [k, o?.[k]])))); });
  define(Array.prototype, "compact", function () { return this.filter((x) => x !== null && x !== undefined && x !== ""); });
  define(Array.prototype, "chunk", function (n) { const out = []; for (let i = 0; i < this.length; i += n) out.push(this.slice(i, i + n)); return out; });
  define(Number.prototype, "round", function (digits = 0) { const f = 10 ** digits; return Math.round(this * f) / f; });
  define(Number.prototype, "floor", function () { return Math.floor(this); });
  define(Number.prototype, "ceil", function () { return Math.ceil(this); });

  let __data = { input: [], nodes: {}, nowMs: 0 };
  const compiled = new Map();
  const PARAMS = ["$json", "$binary", "$input", "$", "$node", "$items", "$prevNode", "$itemIndex", "$runIndex",
    "$workflow", "$execution", "$env", "$vars", "$now", "$today", "DateTime", "$response", "$pageCount"];

  function nodeOutput(name) {
    const out = __data.nodes[name];
    if (!out) throw new Error(`Referenced node "${name}" is unexecuted or does not exist`);
    return out;
  }
  // The item of node `target` that the current item i derives from, following pairedItem
  // back through the nodes that fed this one (n8n's paired items). Without pairing
  // information an item is taken to come from the same position.
  function paired(target, i) {
    let sources = __data.source, idx = i, input = 0;
    for (let hop = 0; hop < 10000; hop++) {
      const src = sources?.[input];
      if (!src) return undefined;
      const item = __data.branches?.[src.node]?.[src.output]?.[idx];
      if (src.node === target || !item) return item;
      let p = item.pairedItem;
      if (Array.isArray(p)) p = p[0];
      if (typeof p === "number") p = { item: p };
      if (p) { idx = p.item ?? 0; input = p.input ?? 0; } else { input = 0; }
      sources = __data.sources?.[src.node];
    }
    return undefined;
  }
  function accessor(items, i, name) {
    return {
      get item() { return (name === undefined ? undefined : paired(name, i)) ?? items[i] ?? items[0]; },
      first: () => items[0],
      last: () => items[items.length - 1],
      all: () => items,
      get json() { return (items[i] ?? items[0] ?? {}).json; },
      get context() { return (name === undefined ? undefined : __data.contexts?.[name]) ?? {}; },
      isExecuted: true,
    };
  }

  // Per-load values, built once per node run rather than per item and expression.
  let current = 0, $now = null, $today = null;
  const $ = (name) => accessor(nodeOutput(name), current, name);
  const $node = new Proxy({}, { get: (_, name) => accessor(nodeOutput(String(name)), current, String(name)) });
  const $items = (name) => (name === undefined ? __data.input : nodeOutput(name));

  function bindings(i) {
    current = i;
    const input = __data.input;
    const item = input[i] ?? { json: {} };
    return [item.json, item.binary ?? {}, accessor(input, i), $, $node, $items,
      __data.prevNode ? { name: __data.prevNode, outputIndex: 0, runIndex: 0 } : undefined, i, __data.runIndex ?? 0,
      __data.workflow ?? {}, __data.execution ?? {}, __data.env ?? {}, __data.vars ?? {}, $now, $today, DateTime,
      __data.response ?? undefined, __data.pageCount ?? 0];
  }

  function compile(src) {
    let f = compiled.get(src);
    if (!f) {
      f = new Function(...PARAMS, `"use strict"; return (\n${src}\n);`);
      if (compiled.size > 5000) compiled.clear();
      compiled.set(src, f);
    }
    return f;
  }

  const toText = (v) => (v === undefined || v === null ? "" : typeof v === "object" && !(v instanceof DateTime) ? JSON.stringify(v) : String(v));
  const toJson = (v) => JSON.stringify(v === undefined ? null : v instanceof DateTime ? v.toISO() : v);

  // console.* output is collected for the execution log, never printed by the host.
  const logs = [];
  const log = (...args) => { if (logs.length < 1000) logs.push(args.map(toText).join(" ").slice(0, 10000)); };
  globalThis.console = { log, info: log, warn: log, error: log, debug: log };
  const codeCache = new Map();

  // A date as n8n's Date & Time node reads it: Unix seconds (< 12 digits) or milliseconds,
  // ISO text (in the workflow's zone without an offset), or anything Date.parse knows.
  function parseDate(v, zone) {
    const text = String(v ?? "").trim();
    if (text === "") throw new Error("no date given");
    if (/^-?\d+$/.test(text)) return DateTime.fromMillis(text.replace("-", "").length < 12 ? Number(text) * 1000 : Number(text), { zone });
    try { return DateTime.fromISO(text, { zone }); } catch (_) { /* not ISO */ }
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`'${text}' is not a date`);
    return DateTime.fromMillis(ms, { zone });
  }
  const PLURAL = { year: "years", quarter: "quarters", month: "months", week: "weeks", day: "days", hour: "hours", minute: "minutes", second: "seconds", millisecond: "milliseconds" };
  const ORDER = Object.keys(PLURAL);
  // end - start in the given units, largest first; all but the smallest whole (as Luxon).
  function between(start, end, units) {
    const wanted = (units.length ? units : ["day"]).map(unitOf).filter((u) => PLURAL[u]).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
    const out = {};
    let cursor = start;
    wanted.forEach((u, idx) => {
      const last = idx === wanted.length - 1;
      let n = 0;
      if (CALENDAR[u] && u !== "day" && u !== "week") {
        const step = u === "year" ? 12 : u === "quarter" ? 3 : 1;
        n = Math.trunc(end.diff(cursor, "months") / step);
        cursor = cursor.plus({ months: n * step });
        if (last) n += (end.ts - cursor.ts) / (cursor.plus({ months: step }).ts - cursor.ts);
      } else {
        const size = UNIT_MS[u];
        const exact = (end.ts - cursor.ts) / size;
        n = last ? exact : Math.trunc(exact);
        cursor = new DateTime(cursor.ts + n * size, cursor.zone);
      }
      out[PLURAL[u]] = n;
    });
    return out;
  }
  const isoDuration = (o) => {
    const [date, time] = [[["years", "Y"], ["months", "M"], ["weeks", "W"], ["days", "D"]], [["hours", "H"], ["minutes", "M"], ["seconds", "S"]]]
      .map((pairs) => pairs.filter(([k]) => o[k]).map(([k, l]) => `${o[k]}${l}`).join(""));
    const ms = o.milliseconds ? `${(o.milliseconds / 1000)}S` : "";
    const body = `${date}${time || ms ? "T" + time + ms : ""}`;
    return body ? `P${body}` : "PT0S";
  };
  function dateTimeNode(a) {
    const zone = __data.timezone || "UTC", p = a.params;
    const at = (v) => parseDate(v, zone);
    switch (a.operation) {
      case "getCurrentDate": {
        const now = DateTime.now().setZone(p.options?.timezone || zone);
        return (p.includeTime === false ? now.startOf("day") : now).toISO();
      }
      case "addToDate": return at(p.magnitude).plus({ [p.timeUnit || "days"]: Number(p.duration ?? 0) }).toISO();
      case "subtractFromDate": return at(p.magnitude).minus({ [p.timeUnit || "days"]: Number(p.duration ?? 0) }).toISO();
      case "formatDate": {
        let d = at(p.date);
        if (typeof p.options?.timezone === "string" && p.options.timezone) d = d.setZone(p.options.timezone);
        const format = p.format === "custom" ? p.customFormat : p.format || "MM/dd/yyyy";
        return d.toFormat(String(format));
      }
      case "roundDate": {
        const d = at(p.date);
        if ((p.mode || "roundDown") === "roundDown") return d.startOf(p.toNearest || "day").toISO();
        const to = p.to || "month";
        return d.plus({ [to]: 1 }).startOf(to).toISO();
      }
      case "getTimeBetweenDates": {
        const o = between(at(p.startDate), at(p.endDate), [].concat(p.units ?? ["day"]));
        return p.options?.isoString ? isoDuration(o) : o;
      }
      case "extractDate": {
        const d = at(p.date), part = p.part || "year";
        if (part === "week") return d.weekNumber;
        if (!["year", "month", "day", "hour", "minute", "second"].includes(part)) throw new Error(`cannot extract '${part}' from a date`);
        return d[part];
      }
      default: throw new Error(`unknown operation '${a.operation}'`);
    }
  }

  globalThis.__agente = {
    // Everything at once (tests, one-off evaluations).
    load(json) {
      __data = JSON.parse(json);
      __data.branches ??= {};
      __data.sources ??= {};
      $now = DateTime.now();
      $today = $now.startOf("day");
    },
    // An execution, piece by piece: its facts once, each node's outputs as it finishes, and
    // per node run only what changes — so no run re-sends the whole history.
    begin(json) {
      __data = Object.assign(JSON.parse(json), { nodes: {}, branches: {}, sources: {}, contexts: {}, input: [] });
      $now = DateTime.now();
      $today = $now.startOf("day");
    },
    record(name, outputs, sources, context) {
      const outs = JSON.parse(outputs);
      __data.branches[name] = outs;
      __data.nodes[name] = outs[0] ?? [];
      __data.sources[name] = JSON.parse(sources);
      __data.contexts[name] = JSON.parse(context) ?? {};
    },
    response(json, pageCount) {
      __data.response = JSON.parse(json) ?? undefined;
      __data.pageCount = pageCount;
    },
    step(json) {
      const s = JSON.parse(json);
      __data.input = s.input;
      __data.runIndex = s.runIndex;
      __data.prevNode = s.prevNode;
      __data.source = s.source;
    },
    // The Code node: the body of a function over all items (`items`) or over one (`item`).
    code(src, each, i) {
      const key = (each ? "each:" : "all:") + src;
      let f = codeCache.get(key);
      if (!f) {
        f = new Function(...PARAMS, each ? "item" : "items", `"use strict";\n${src}\n`);
        if (codeCache.size > 500) codeCache.clear();
        codeCache.set(key, f);
      }
      return toJson(f(...bindings(i), each ? __data.input[i] : __data.input));
    },
    // Emptied only once written out: a call its slice cut short runs again (`cost.rs`).
    takeLogs() { const out = JSON.stringify(logs); logs.length = 0; return out; },
    // The Date & Time node (v2): one operation over already-resolved parameters.
    dateTime(json) { return toJson(dateTimeNode(JSON.parse(json))); },
    value(src, i) { return toJson(compile(src)(...bindings(i))); },
    text(src, i) { return toText(compile(src)(...bindings(i))); },
  };
})();
