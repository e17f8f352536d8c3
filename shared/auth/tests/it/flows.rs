//! Auth flows against real databases: every test runs on SQLite and on Postgres.

use agente_auth::{
    AuthError, AuthService, AuthSettings, JwtKeys, LoginInput, RateLimiter, SignupInput, mfa,
};
use agente_core::{Clock, FixedClock, Role, SecretBox};
use agente_store::backend_tests;
use agente_store::testing::{Backend, TestDb};
use std::sync::Arc;

const START_MS: i64 = 1_800_000_000_000;

struct Harness {
    auth: AuthService,
    clock: FixedClock,
    _db: TestDb,
}

async fn harness(backend: Backend) -> Harness {
    let db = backend.db().await;
    let clock = FixedClock::at_ms(START_MS);
    let auth = AuthService::new(
        db.db.clone(),
        JwtKeys::new(&[42u8; 32]).unwrap(),
        SecretBox::from_bytes(&[1u8; 32]),
        RateLimiter::memory(),
        Arc::new(clock.clone()),
        AuthSettings::default(),
    );
    Harness {
        auth,
        clock,
        _db: db,
    }
}

fn signup(email: &str, tenant: &str) -> SignupInput {
    SignupInput {
        email: email.into(),
        password: "correct horse battery".into(),
        tenant_name: tenant.into(),
    }
}

fn login(email: &str, password: &str) -> LoginInput {
    LoginInput {
        email: email.into(),
        password: password.into(),
        totp: None,
    }
}

backend_tests!(signup_login_refresh_and_logout);
async fn signup_login_refresh_and_logout(backend: Backend) {
    let h = harness(backend).await;
    let s = h
        .auth
        .signup(signup("Owner@Acme.test", "Acme"), None)
        .await
        .unwrap();
    assert_eq!(s.principal.role, Role::Owner, "{backend}");
    let p = h
        .auth
        .authenticate_access_token(&s.access_token)
        .await
        .unwrap();
    let me = h.auth.me(&p).await.unwrap();
    assert_eq!(
        (me.email.as_deref(), me.tenant_name.as_str()),
        (Some("owner@acme.test"), "Acme")
    );

    let dup = h
        .auth
        .signup(signup("owner@acme.test", "Other"), None)
        .await;
    assert!(
        matches!(dup, Err(AuthError::Conflict(_))),
        "{backend}: {dup:?}"
    );

    let bad = h
        .auth
        .login(login("owner@acme.test", "wrong password!"), None)
        .await;
    assert!(
        matches!(bad, Err(AuthError::InvalidCredentials)),
        "{backend}"
    );
    let nobody = h
        .auth
        .login(login("nobody@acme.test", "whatever at all"), None)
        .await;
    assert!(
        matches!(nobody, Err(AuthError::InvalidCredentials)),
        "{backend}"
    );

    let l = h
        .auth
        .login(login("owner@acme.test", "correct horse battery"), None)
        .await
        .unwrap();
    let r1 = h.auth.refresh(&l.refresh_token).await.unwrap();
    assert_ne!(r1.refresh_token, l.refresh_token);
    let r2 = h.auth.refresh(&r1.refresh_token).await.unwrap();

    // Reusing a consumed token revokes its family, including the newest token.
    assert!(
        matches!(
            h.auth.refresh(&l.refresh_token).await,
            Err(AuthError::TokenReused)
        ),
        "{backend}"
    );
    assert!(
        matches!(
            h.auth.refresh(&r2.refresh_token).await,
            Err(AuthError::InvalidToken)
        ),
        "{backend}"
    );
    // Other sessions (the sign-up one) are untouched; logout ends them.
    let s2 = h.auth.refresh(&s.refresh_token).await.unwrap();
    h.auth.logout(&s2.refresh_token).await.unwrap();
    h.auth.logout(&s2.refresh_token).await.unwrap();
    assert!(
        h.auth.refresh(&s2.refresh_token).await.is_err(),
        "{backend}"
    );

    // Access tokens expire with the clock.
    h.clock.advance_secs(16 * 60);
    assert!(
        h.auth
            .authenticate_access_token(&s.access_token)
            .await
            .is_err(),
        "{backend}"
    );
}

backend_tests!(login_is_rate_limited_per_account);
async fn login_is_rate_limited_per_account(backend: Backend) {
    let h = harness(backend).await;
    h.auth
        .signup(signup("rl@acme.test", "Acme"), None)
        .await
        .unwrap();
    for _ in 0..10 {
        let _ = h
            .auth
            .login(login("rl@acme.test", "wrong password!"), None)
            .await;
    }
    let limited = h
        .auth
        .login(login("rl@acme.test", "correct horse battery"), None)
        .await;
    assert!(
        matches!(limited, Err(AuthError::RateLimited { .. })),
        "{backend}: {limited:?}"
    );
}

backend_tests!(invitations_roles_and_member_rules);
async fn invitations_roles_and_member_rules(backend: Backend) {
    let h = harness(backend).await;
    let owner = h
        .auth
        .signup(signup("own@acme.test", "Acme"), None)
        .await
        .unwrap()
        .principal;
    let inv = h
        .auth
        .invite(&owner, "ed@acme.test", Role::Editor)
        .await
        .unwrap();
    assert_eq!(h.auth.list_invitations(&owner).await.unwrap().len(), 1);
    let preview = h.auth.preview_invitation(&inv.token).await.unwrap();
    assert_eq!(
        (preview.email.as_str(), preview.tenant_name.as_str()),
        ("ed@acme.test", "Acme")
    );

    let ed = h
        .auth
        .accept_invitation(&inv.token, "editor password 1".into())
        .await
        .unwrap();
    assert_eq!(ed.principal.role, Role::Editor, "{backend}");
    assert!(
        h.auth
            .accept_invitation(&inv.token, "editor password 1".into())
            .await
            .is_err()
    );
    assert!(h.auth.list_invitations(&owner).await.unwrap().is_empty());

    // An editor cannot manage members; an owner can.
    let editor = ed.principal.clone();
    assert!(matches!(
        h.auth.invite(&editor, "x@acme.test", Role::Viewer).await,
        Err(AuthError::Forbidden(_))
    ));
    let members = h.auth.list_members(&owner).await.unwrap();
    assert_eq!(members.len(), 2);
    let ed_id = editor.user_id.unwrap();
    h.auth
        .change_role(&owner, ed_id, Role::Admin)
        .await
        .unwrap();

    // The last owner cannot step down or be removed.
    let own_id = owner.user_id.unwrap();
    let last = h.auth.change_role(&owner, own_id, Role::Viewer).await;
    assert!(
        matches!(last, Err(AuthError::Conflict(_))),
        "{backend}: {last:?}"
    );
    let admin = agente_auth::Principal {
        role: Role::Admin,
        ..editor
    };
    assert!(matches!(
        h.auth.remove_member(&admin, own_id).await,
        Err(AuthError::Forbidden(_))
    ));

    h.auth.remove_member(&owner, ed_id).await.unwrap();
    assert_eq!(h.auth.list_members(&owner).await.unwrap().len(), 1);
    assert!(
        h.auth.refresh(&ed.refresh_token).await.is_err(),
        "{backend}: removed member's session lives"
    );
}

backend_tests!(api_keys_are_shown_once_scoped_and_revocable);
async fn api_keys_are_shown_once_scoped_and_revocable(backend: Backend) {
    let h = harness(backend).await;
    let owner = h
        .auth
        .signup(signup("keys@acme.test", "Acme"), None)
        .await
        .unwrap()
        .principal;
    let created = h
        .auth
        .create_api_key(&owner, "CI", Role::Editor)
        .await
        .unwrap();
    let p = h.auth.authenticate_api_key(&created.key).await.unwrap();
    assert_eq!(
        (p.tenant_id, p.role, p.user_id),
        (owner.tenant_id, Role::Editor, None),
        "{backend}"
    );

    let listed = h.auth.list_api_keys(&owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        !serde_json::to_string(&listed)
            .unwrap()
            .contains(&created.key)
    );
    assert!(listed[0].last_used_at.is_some());

    // A key cannot mint keys or members beyond its own role.
    assert!(
        h.auth
            .create_api_key(&p, "sneaky", Role::Owner)
            .await
            .is_err()
    );
    h.auth
        .revoke_api_key(&owner, &created.info.id)
        .await
        .unwrap();
    assert!(
        h.auth.authenticate_api_key(&created.key).await.is_err(),
        "{backend}"
    );
    assert!(h.auth.authenticate_api_key("agk_forged").await.is_err());
}

backend_tests!(totp_enrol_confirm_login_disable);
async fn totp_enrol_confirm_login_disable(backend: Backend) {
    const PASSWORD: &str = "correct horse battery";
    let h = harness(backend).await;
    let owner = h
        .auth
        .signup(signup("mfa@acme.test", "Acme"), None)
        .await
        .unwrap()
        .principal;
    let enrol = h.auth.mfa_enrol(&owner).await.unwrap();
    assert!(enrol.otpauth_url.starts_with("otpauth://totp/"));
    let code_now = |h: &Harness| {
        let now = (h.clock.now_ms() / 1000) as u64;
        mfa::code_at(&enrol.secret, now).unwrap()
    };
    let code = code_now(&h);
    assert!(
        matches!(
            h.auth.mfa_confirm(&owner, "000000", PASSWORD).await,
            Err(AuthError::InvalidMfaCode)
        ) || code == "000000"
    );
    // The password is asked for too: a stolen session alone cannot turn MFA on or off.
    assert!(matches!(
        h.auth.mfa_confirm(&owner, &code, "not the password").await,
        Err(AuthError::InvalidCredentials)
    ));
    h.auth.mfa_confirm(&owner, &code, PASSWORD).await.unwrap();

    let without = h.auth.login(login("mfa@acme.test", PASSWORD), None).await;
    assert!(
        matches!(without, Err(AuthError::MfaRequired)),
        "{backend}: {without:?}"
    );
    // The code that confirmed enrolment is spent: it cannot log in.
    let with = |code: String| LoginInput {
        totp: Some(code),
        ..login("mfa@acme.test", PASSWORD)
    };
    assert!(
        matches!(
            h.auth.login(with(code.clone()), None).await,
            Err(AuthError::InvalidMfaCode)
        ),
        "{backend}: a used code was accepted again"
    );
    h.clock.advance_secs(30);
    let next = code_now(&h);
    h.auth.login(with(next.clone()), None).await.unwrap();
    assert!(
        matches!(
            h.auth.login(with(next), None).await,
            Err(AuthError::InvalidMfaCode)
        ),
        "{backend}: a code logged in twice"
    );
    assert!(h.auth.me(&owner).await.unwrap().mfa_enabled);

    h.clock.advance_secs(30);
    h.auth
        .mfa_disable(&owner, &code_now(&h), PASSWORD)
        .await
        .unwrap();
    h.auth
        .login(login("mfa@acme.test", PASSWORD), None)
        .await
        .unwrap();
}

backend_tests!(guessing_mfa_codes_with_a_session_is_throttled);
async fn guessing_mfa_codes_with_a_session_is_throttled(backend: Backend) {
    let h = harness(backend).await;
    let owner = h
        .auth
        .signup(signup("guess@acme.test", "Acme"), None)
        .await
        .unwrap()
        .principal;
    h.auth.mfa_enrol(&owner).await.unwrap();
    let limit = AuthSettings::default().login_attempts_per_account;
    for _ in 0..limit {
        let wrong = h
            .auth
            .mfa_confirm(&owner, "123456", "correct horse battery")
            .await;
        assert!(
            matches!(wrong, Err(AuthError::InvalidMfaCode)),
            "{backend}: {wrong:?}"
        );
    }
    assert!(
        matches!(
            h.auth
                .mfa_confirm(&owner, "123456", "correct horse battery")
                .await,
            Err(AuthError::RateLimited { .. })
        ),
        "{backend}: the guesses go on"
    );
}
