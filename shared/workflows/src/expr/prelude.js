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

  // UTC-only subset of Luxon's DateTime (time zones arrive with the scheduler).
  class DateTime {
    constructor(ms) { this.ts = ms; this.d = new Date(ms); }
    static now() { return new DateTime(__data.nowMs); }
    static fromMillis(ms) { return new DateTime(Number(ms)); }
    static fromISO(s) { const ms = Date.parse(s); if (Number.isNaN(ms)) throw new Error(`invalid ISO date: ${s}`); return new DateTime(ms); }
    static fromJSDate(d) { return new DateTime(d.getTime()); }
    get year() { return this.d.getUTCFullYear(); }
    get month() { return this.d.getUTCMonth() + 1; }
    get day() { return this.d.getUTCDate(); }
    get hour() { return this.d.getUTCHours(); }
    get minute() { return this.d.getUTCMinutes(); }
    get second() { return this.d.getUTCSeconds(); }
    get millisecond() { return this.d.getUTCMilliseconds(); }
    get weekday() { return this.d.getUTCDay() === 0 ? 7 : this.d.getUTCDay(); }
    toMillis() { return this.ts; }
    toSeconds() { return this.ts / 1000; }
    valueOf() { return this.ts; }
    toJSDate() { return new Date(this.ts); }
    toISO() { return this.d.toISOString(); }
    toISODate() { return this.d.toISOString().slice(0, 10); }
    toString() { return this.toISO(); }
    toJSON() { return this.toISO(); }
    shift(sign, amount) {
      if (typeof amount === "number") return new DateTime(this.ts + sign * amount);
      const d = new Date(this.ts);
      for (const [k, v] of Object.entries(amount)) {
        const u = unitOf(k), n = sign * v;
        if (u === "year") d.setUTCFullYear(d.getUTCFullYear() + n);
        else if (u === "month") d.setUTCMonth(d.getUTCMonth() + n);
        else if (UNIT_MS[u]) d.setTime(d.getTime() + n * UNIT_MS[u]);
        else throw new Error(`unknown unit: ${k}`);
      }
      return new DateTime(d.getTime());
    }
    plus(a) { return this.shift(1, a); }
    minus(a) { return this.shift(-1, a); }
    startOf(unit) {
      const d = this.d, u = unitOf(unit);
      const parts = [d.getUTCFullYear(), u === "year" ? 0 : d.getUTCMonth(), ["year", "month"].includes(u) ? 1 : d.getUTCDate(),
        ["hour", "minute", "second"].includes(u) ? d.getUTCHours() : 0, ["minute", "second"].includes(u) ? d.getUTCMinutes() : 0,
        u === "second" ? d.getUTCSeconds() : 0];
      let ms = Date.UTC(...parts);
      if (u === "week") ms -= (this.weekday - 1) * UNIT_MS.day;
      return new DateTime(ms);
    }
    endOf(unit) { return this.startOf(unit).plus({ [unitOf(unit)]: 1 }).minus(1); }
    diff(other, unit = "milliseconds") { return (this.ts - other.valueOf()) / (UNIT_MS[unitOf(unit)] || 1); }
    toFormat(fmt) {
      const d = this;
      const tokens = {
        yyyy: () => pad(d.year, 4), yy: () => pad(d.year % 100), MMMM: () => MONTHS[d.month - 1], MMM: () => MONTHS[d.month - 1].slice(0, 3),
        LLLL: () => MONTHS[d.month - 1], LLL: () => MONTHS[d.month - 1].slice(0, 3), MM: () => pad(d.month), M: () => String(d.month),
        LL: () => pad(d.month), L: () => String(d.month), dd: () => pad(d.day), d: () => String(d.day),
        EEEE: () => DAYS[d.d.getUTCDay()], EEE: () => DAYS[d.d.getUTCDay()].slice(0, 3), HH: () => pad(d.hour), H: () => String(d.hour),
        hh: () => pad(d.hour % 12 || 12), h: () => String(d.hour % 12 || 12), mm: () => pad(d.minute), m: () => String(d.minute),
        ss: () => pad(d.second), s: () => String(d.second), SSS: () => pad(d.millisecond, 3), a: () => (d.hour < 12 ? "AM" : "PM"),
      };
      return fmt.replace(/'([^']*)'|yyyy|yy|MMMM|MMM|MM|M|LLLL|LLL|LL|L|dd|d|EEEE|EEE|HH|H|hh|h|mm|m|ss|s|SSS|a/g,
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
    "$workflow", "$execution", "$env", "$vars", "$now", "$today", "DateTime"];

  function nodeOutput(name) {
    const out = __data.nodes[name];
    if (!out) throw new Error(`Referenced node "${name}" is unexecuted or does not exist`);
    return out;
  }
  function accessor(items, i) {
    return {
      get item() { return items[i] ?? items[0]; },
      first: () => items[0],
      last: () => items[items.length - 1],
      all: () => items,
      get json() { return (items[i] ?? items[0] ?? {}).json; },
      isExecuted: true,
    };
  }

  // Per-load values, built once per node run rather than per item and expression.
  let current = 0, $now = null, $today = null;
  const $ = (name) => accessor(nodeOutput(name), current);
  const $node = new Proxy({}, { get: (_, name) => accessor(nodeOutput(String(name)), current) });
  const $items = (name) => (name === undefined ? __data.input : nodeOutput(name));

  function bindings(i) {
    current = i;
    const input = __data.input;
    const item = input[i] ?? { json: {} };
    return [item.json, item.binary ?? {}, accessor(input, i), $, $node, $items,
      __data.prevNode ? { name: __data.prevNode, outputIndex: 0, runIndex: 0 } : undefined, i, __data.runIndex ?? 0,
      __data.workflow ?? {}, __data.execution ?? {}, __data.env ?? {}, __data.vars ?? {}, $now, $today, DateTime];
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

  globalThis.__agente = {
    load(json) {
      __data = JSON.parse(json);
      $now = DateTime.now();
      $today = $now.startOf("day");
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
    takeLogs() { return JSON.stringify(logs.splice(0)); },
    value(src, i) { return toJson(compile(src)(...bindings(i))); },
    text(src, i) { return toText(compile(src)(...bindings(i))); },
  };
})();
