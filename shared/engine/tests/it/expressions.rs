//! Expressions evaluated as n8n does, in the sandbox.

use agente_engine::expr::{EvalError, Limits, Sandbox, Scope};
use agente_workflow_model::Template;
use serde_json::{Value, json};
use std::time::Duration;

const NOW_MS: i64 = 1_795_857_600_000; // 2026-11-28T09:20:00Z, a Saturday

fn sandbox_with(input: &[Value]) -> Sandbox {
    let sandbox = Sandbox::new(Limits::default()).unwrap();
    let mut nodes = serde_json::Map::new();
    nodes.insert(
        "Webhook".into(),
        json!([{"json": {"body": {"n": 7}, "query": {"q": "x"}}}]),
    );
    nodes.insert(
        "Fetch".into(),
        json!([{"json": {"id": 1}}, {"json": {"id": 2}}, {"json": {"id": 3}}]),
    );
    let mut env = serde_json::Map::new();
    env.insert("REGION".into(), json!("eu"));
    let scope = Scope {
        input,
        nodes,
        prev_node: Some("Fetch"),
        run_index: 0,
        workflow: json!({"id": "wf1", "name": "Demo", "active": true}),
        execution: json!({"id": "ex1", "mode": "manual"}),
        env,
        vars: serde_json::Map::from_iter([("plan".to_string(), json!("pro"))]),
        now_ms: NOW_MS,
        timezone: "UTC",
    };
    sandbox.load(&scope).unwrap();
    sandbox
}

fn eval(sandbox: &Sandbox, template: &str, item: usize) -> Result<Value, EvalError> {
    sandbox.evaluate(&Template::parse(template).unwrap().unwrap(), item)
}

#[test]
fn variables_resolve_like_n8n() {
    let input = [
        json!({"json": {"name": "Ada", "n": 21, "tags": ["a", "b"]}}),
        json!({"json": {"name": "Bob", "n": 4}}),
    ];
    let s = sandbox_with(&input);
    let cases = [
        ("={{ $json.n * 2 }}", 0, json!(42)),
        ("=Hello {{ $json.name }}!", 1, json!("Hello Bob!")),
        ("={{ $json.tags }}", 0, json!(["a", "b"])),
        ("=tags: {{ $json.tags }}", 0, json!("tags: [\"a\",\"b\"]")),
        ("={{ $json.missing }}", 0, Value::Null),
        ("=x{{ $json.missing }}y", 0, json!("xy")),
        ("={{ $input.item.json.name }}", 1, json!("Bob")),
        ("={{ $input.all().length }}", 0, json!(2)),
        (
            "={{ $input.first().json.name + $input.last().json.name }}",
            0,
            json!("AdaBob"),
        ),
        ("={{ $('Webhook').item.json.body.n }}", 0, json!(7)),
        (
            "={{ $('Fetch').all().map(i => i.json.id) }}",
            0,
            json!([1, 2, 3]),
        ),
        (
            "={{ $('Fetch').first().json.id + $('Fetch').last().json.id }}",
            0,
            json!(4),
        ),
        ("={{ $('Fetch').item.json.id }}", 1, json!(2)),
        ("={{ $node[\"Webhook\"].json.query.q }}", 0, json!("x")),
        ("={{ $items('Fetch').length }}", 0, json!(3)),
        ("={{ $items().length }}", 0, json!(2)),
        ("={{ $prevNode.name }}", 0, json!("Fetch")),
        ("={{ $itemIndex }}", 1, json!(1)),
        ("={{ $runIndex }}", 0, json!(0)),
        (
            "={{ $workflow.name + '/' + $workflow.id }}",
            0,
            json!("Demo/wf1"),
        ),
        ("={{ $execution.id }}", 0, json!("ex1")),
        ("={{ $env.REGION }}", 0, json!("eu")),
        ("={{ $env.HOME }}", 0, Value::Null),
        ("={{ $vars.plan }}", 0, json!("pro")),
        ("={{ $binary }}", 0, json!({})),
    ];
    for (template, item, expected) in cases {
        assert_eq!(eval(&s, template, item).unwrap(), expected, "{template}");
    }
}

#[test]
fn dates_behave_like_luxon() {
    let s = sandbox_with(&[json!({"json": {}})]);
    let cases = [
        ("={{ $now.toISO() }}", "2026-11-28T09:20:00.000Z"),
        (
            "={{ $now.toFormat('yyyy-MM-dd HH:mm') }}",
            "2026-11-28 09:20",
        ),
        (
            "={{ $now.toFormat(\"EEEE d LLL 'at' h:mm a\") }}",
            "Saturday 28 Nov at 9:20 AM",
        ),
        ("={{ $today.toISO() }}", "2026-11-28T00:00:00.000Z"),
        ("={{ $now.plus({days: 3}).toISODate() }}", "2026-12-01"),
        (
            "={{ $now.minus({months: 11}).toFormat('yyyy-MM') }}",
            "2025-12",
        ),
        ("={{ $now.plus(1000).toFormat('ss') }}", "01"),
        ("={{ $now.startOf('week').toISODate() }}", "2026-11-23"),
        (
            "={{ DateTime.fromISO('2026-01-31T10:00:00Z').plus({hours: 2}).hour }}",
            "12",
        ),
        ("=Now: {{ $now }}", "Now: 2026-11-28T09:20:00.000Z"),
    ];
    for (template, expected) in cases {
        let got = eval(&s, template, 0).unwrap();
        let got = got
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| got.to_string());
        assert_eq!(got, expected, "{template}");
    }
}

#[test]
fn string_and_array_helpers() {
    let s = sandbox_with(&[json!({"json": {"s": "hello big world", "xs": [3, 1, 3, 2]}})]);
    let cases = [
        ("={{ $json.s.toTitleCase() }}", json!("Hello Big World")),
        ("={{ $json.s.toSnakeCase() }}", json!("hello_big_world")),
        (
            "={{ 'mail me: a.b@example.com now'.extractEmail() }}",
            json!("a.b@example.com"),
        ),
        ("={{ $json.xs.sum() }}", json!(9)),
        ("={{ $json.xs.unique() }}", json!([3, 1, 2])),
        ("={{ $json.xs.first() + $json.xs.last() }}", json!(5)),
        ("={{ [{a: 1}, {a: 2}].pluck('a') }}", json!([1, 2])),
        ("={{ (2.345).round(2) }}", json!(2.35)),
        ("={{ ''.isEmpty() && [1].isNotEmpty() }}", json!(true)),
    ];
    for (template, expected) in cases {
        assert_eq!(eval(&s, template, 0).unwrap(), expected, "{template}");
    }
}

#[test]
fn errors_say_what_went_wrong() {
    let s = sandbox_with(&[json!({"json": {}})]);
    let err = eval(&s, "={{ $json.a.b }}", 0).unwrap_err().to_string();
    assert!(err.contains("TypeError"), "{err}");
    let err = eval(&s, "={{ $('Nope').item }}", 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Nope") && err.contains("unexecuted"), "{err}");
    let err = eval(&s, "={{ 1 + }}", 0).unwrap_err().to_string();
    assert!(err.contains("SyntaxError"), "{err}");
    // The sandbox stays usable after an error.
    assert_eq!(eval(&s, "={{ 1 + 1 }}", 0).unwrap(), json!(2));
}

#[test]
fn the_sandbox_stops_runaway_code_and_has_no_host_access() {
    let s = Sandbox::new(Limits {
        memory_bytes: 32 * 1024 * 1024,
        time: Duration::from_millis(200),
        ..Limits::default()
    })
    .unwrap();
    s.load(&Scope {
        input: &[json!({"json": {}})],
        ..Scope::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = eval(&s, "={{ (() => { while (true) {} })() }}", 0).unwrap_err();
    assert_eq!(err, EvalError::Timeout(Duration::from_millis(200)));
    assert!(started.elapsed() < Duration::from_secs(2));

    let err = eval(
        &s,
        "={{ (() => { const a = []; while (true) a.push('x'.repeat(1 << 20)); })() }}",
        0,
    )
    .unwrap_err();
    assert!(matches!(err, EvalError::OutOfMemory(32)), "{err:?}");

    for escape in [
        "require('fs')",
        "process.env",
        "fetch('http://127.0.0.1')",
        "setTimeout(() => 1, 1)",
        "std.loadFile('/etc/passwd')",
        "os.exec(['ls'])",
    ] {
        let result = eval(&s, &format!("={{{{ {escape} }}}}"), 0);
        assert!(
            matches!(result, Err(EvalError::Script(ref m)) if m.contains("not defined")),
            "{escape}: {result:?}"
        );
    }
    assert_eq!(
        eval(
            &s,
            "={{ typeof globalThis.require + typeof globalThis.process }}",
            0
        )
        .unwrap(),
        json!("undefinedundefined")
    );
    // Still alive afterwards.
    assert_eq!(eval(&s, "={{ 6 * 7 }}", 0).unwrap(), json!(42));
}

#[test]
fn dates_follow_the_workflows_time_zone() {
    let s = Sandbox::new(Limits::default()).unwrap();
    s.load(&Scope {
        input: &[json!({"json": {}})],
        now_ms: NOW_MS,
        timezone: "Europe/Berlin",
        ..Scope::default()
    })
    .unwrap();
    let e = |t: &str| eval(&s, t, 0).unwrap();
    // 09:20 UTC is 10:20 in Berlin in November (CET, +01:00).
    assert_eq!(
        e("={{ $now.toISO() }}"),
        json!("2026-11-28T10:20:00.000+01:00")
    );
    assert_eq!(e("={{ $now.hour }}"), json!(10));
    assert_eq!(e("={{ $now.zoneName }}"), json!("Europe/Berlin"));
    assert_eq!(
        e("={{ $today.toISO() }}"),
        json!("2026-11-28T00:00:00.000+01:00")
    );
    assert_eq!(
        e("={{ $now.toUTC().toISO() }}"),
        json!("2026-11-28T09:20:00.000Z")
    );
    assert_eq!(
        e("={{ $now.setZone('America/New_York').toFormat('yyyy-MM-dd HH:mm ZZ z') }}"),
        json!("2026-11-28 04:20 -05:00 America/New_York")
    );
    // Across the spring DST change a day is 23 hours, but still "the same time tomorrow".
    assert_eq!(
        e("={{ DateTime.fromISO('2026-03-28T12:00:00').plus({days: 1}).toISO() }}"),
        json!("2026-03-29T12:00:00.000+02:00")
    );
    assert_eq!(
        e("={{ DateTime.fromISO('2026-03-28T12:00:00').plus({hours: 24}).toISO() }}"),
        json!("2026-03-29T13:00:00.000+02:00")
    );
    // Text with an explicit offset keeps its instant.
    assert_eq!(
        e("={{ DateTime.fromISO('2026-01-01T00:00:00Z').toMillis() }}"),
        json!(1_767_225_600_000i64)
    );
    assert_eq!(
        e("={{ $now.toFormat(\"'week' W, 'quarter' q, X\") }}"),
        json!("week 48, quarter 4, 1795857600")
    );
    let err = eval(&s, "={{ $now.setZone('Mars/Olympus') }}", 0).unwrap_err();
    assert!(err.to_string().contains("unknown time zone"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_calls_stay_inline_until_the_executions_share_is_used_and_programs_never_start_there()
 {
    use agente_engine::expr::CpuAllowance;
    let s = Sandbox::new(Limits::default()).unwrap();
    let hold = || {
        s.hold(
            None,
            CpuAllowance::default(),
            tokio_util::sync::CancellationToken::new(),
        )
    };
    hold();
    // Small enough that one call stays well inside the share even on a loaded machine (the
    // share counts wall time), large enough that a few dozen use it up.
    let text = "ab,".repeat(1_000);
    s.load(&Scope {
        input: &[json!({"json": {"n": 1, "s": text}})],
        ..Scope::default()
    })
    .unwrap();
    let eval = |t: &str| {
        s.evaluate(&Template::parse(t).unwrap().unwrap(), 0)
            .unwrap()
    };
    // A quick call stays inline; on a loaded machine one may be preempted past the share
    // (it counts wall time), so it gets three fresh shares to show it.
    let inline = (0..3).any(|_| {
        s.release();
        hold();
        assert_eq!(eval("={{ $json.n + 1 }}"), json!(2));
        !s.runs_long()
    });
    assert!(inline, "a quick call stays inline");
    // Bounded calls of some tens of microseconds each: together they use up the
    // execution's inline share; the answers stay the same either side of it.
    let mut calls = 0;
    while !s.runs_long() {
        assert_eq!(
            eval("={{ $json.s.split(',').join(';').length }}"),
            json!(3_000)
        );
        calls += 1;
        assert!(calls < 100_000, "the share never ran out");
    }
    assert!(calls > 1, "one call used up the share");
    assert_eq!(eval("={{ $json.n + 2 }}"), json!(3));
    s.release();
    hold();
    assert!(!s.runs_long(), "each execution has a share of its own");
    // A program never starts inline, and after one the sandbox's calls never do either
    // (it could have redefined what bounded expressions call).
    let program =
        "={{ (() => { const t = Date.now(); while (Date.now() - t < 20) {} return 'done' })() }}";
    assert_eq!(eval(program), json!("done"));
    s.release();
    hold();
    assert!(
        s.runs_long(),
        "a sandbox that ran a program stays off the workers"
    );
    assert_eq!(eval("={{ $json.n + 3 }}"), json!(4));
}
