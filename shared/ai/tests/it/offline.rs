//! The offline provider always gives a valid workflow: every request of the evaluation set,
//! and requests it does not understand at all, come out importable. (How often it picks the
//! expected nodes is measured by the `offline_eval` benchmark, not asserted here.)

use agente_ai::evaluation::{cases, held_out};
use agente_ai::generate::generate;
use agente_ai::{AiError, workflow_check};

#[tokio::test]
async fn every_request_becomes_a_valid_workflow() {
    let mut requests: Vec<String> = cases()
        .into_iter()
        .chain(held_out())
        .map(|c| c.request)
        .collect();
    requests.extend(
        [
            "",
            "asdf qwerty",
            "🙂🙂🙂",
            "if if if > > 3",
            "every every every",
        ]
        .map(String::from),
    );
    for request in requests {
        match generate(&[], &request).await {
            Ok(generated) => {
                assert_eq!(generated.provider, "offline");
                assert!(
                    workflow_check::check(&generated.workflow.to_string()).is_ok(),
                    "{request}"
                );
                assert!(
                    generated.workflow["nodes"]
                        .as_array()
                        .is_some_and(|n| !n.is_empty())
                );
            }
            Err(AiError::BadInput(_)) => assert!(request.trim().is_empty(), "{request}"),
            Err(e) => panic!("{request}: {e}"),
        }
    }
    let long = "fetch ".repeat(500);
    assert!(matches!(
        generate(&[], &long).await,
        Err(AiError::BadInput(_))
    ));
}
