use super::*;
use agente_editor::UNDO_LIMIT;

type Command = Box<dyn Fn(&mut Editor)>;

#[test]
fn every_command_undoes_to_the_exact_json_and_redoes() {
    let original = branching();
    let mut e = editor(original.clone());
    let mut states = vec![json_of(&e)];
    let steps: Vec<Command> = vec![
        Box::new(|e| drop(e.add_node(node("Code", "n8n-nodes-base.code"), at(880.0, 0.0)))),
        Box::new(|e| {
            e.connect(&main_out("High", 0), "Code", 0)
                .map(drop)
                .unwrap()
        }),
        Box::new(|e| e.rename_node("Webhook", "Hook").unwrap()),
        Box::new(|e| e.move_nodes(&["IF"], 10.0, 10.0).unwrap()),
        Box::new(|e| e.toggle_disabled(&["Low"]).unwrap()),
        Box::new(|e| {
            e.set_pin_data("Hook", Some(serde_json::json!([{"json": {}}])))
                .unwrap()
        }),
        Box::new(|e| drop(e.duplicate(&["Set", "IF"]).unwrap())),
        Box::new(|e| e.remove_nodes(&["Set", "High"]).unwrap()),
        Box::new(|e| e.tidy_up()),
        Box::new(|e| e.set_name("Renamed")),
    ];
    for step in &steps {
        step(&mut e);
        states.push(json_of(&e));
    }
    for expected in states.iter().rev().skip(1) {
        assert!(e.undo());
        assert_eq!(&json_of(&e), expected);
    }
    assert!(!e.undo());
    assert_eq!(json_of(&e), original);
    for expected in states.iter().skip(1) {
        assert!(e.redo());
        assert_eq!(&json_of(&e), expected);
    }
    assert!(!e.redo());
}

#[test]
fn a_group_is_one_step_and_a_new_command_drops_the_redo() {
    let mut e = editor(branching());
    e.begin_group();
    e.move_nodes(&["Set"], 20.0, 0.0).unwrap();
    e.begin_group();
    e.move_nodes(&["IF"], 20.0, 0.0).unwrap();
    e.end_group();
    e.toggle_disabled(&["Set"]).unwrap();
    e.end_group();
    assert!(e.undo());
    assert_eq!(json_of(&e), branching());
    assert!(!e.can_undo());
    assert!(e.can_redo());
    e.set_name("Other");
    assert!(!e.can_redo());
}

#[test]
fn undo_reaches_back_a_hundred_steps() {
    let mut e = editor(branching());
    for _ in 0..UNDO_LIMIT + 20 {
        e.move_nodes(&["Set"], 1.0, 0.0).unwrap();
    }
    let mut undone = 0;
    while e.undo() {
        undone += 1;
    }
    assert_eq!(undone, UNDO_LIMIT);
    assert_eq!(
        json_of(&e)["nodes"][1]["position"],
        serde_json::json!([240, 0])
    );
}
